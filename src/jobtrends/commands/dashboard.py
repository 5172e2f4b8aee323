"""``jobtrends dashboard``: write the offline HTML dashboard of the published marts (and open it)."""

from __future__ import annotations

import argparse
import json
import webbrowser
from pathlib import Path

from jobtrends import warehouse
from jobtrends.errors import UserError
from jobtrends.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser(
        "dashboard",
        help="write the offline HTML dashboard of the published marts (<data>/dashboard/index.html)",
        description="One self-contained HTML file (charts, data, scripts inline; no network when opened), "
        "read from the published marts through a read-only connection.",
    )
    d.add_argument("--out", type=Path, help="folder to write index.html into (default: <data>/dashboard)")
    d.add_argument("--open", dest="open_browser", action="store_true", help="open it in the default browser")
    d.add_argument(
        "--check",
        action="store_true",
        help="open it in headless Chromium and report render time, marks per chart, console errors, requests",
    )
    d.set_defaults(handler=_dashboard)


def _dashboard(args: argparse.Namespace) -> int:
    from jobtrends import dashboard  # altair and vl-convert load only for this command

    settings = load_settings(args.data_dir)
    try:
        out = dashboard.write_dashboard(settings, args.out)
    except warehouse.WarehouseError as exc:
        raise UserError(str(exc)) from exc
    print(
        f"dashboard: {out['path']} ({out['bytes'] / 1e6:.2f} MB, {out['panels']} charts, {out['seconds']} s)"
    )
    for name, error in out["query_errors"].items():
        print(f"  warning: query {name} failed: {error}")
    if args.check:
        from jobtrends import browser

        try:
            report = browser.open_page(Path(out["path"]))
        except browser.ChromiumMissing as exc:
            raise UserError(str(exc)) from exc
        print(json.dumps(report.as_dict(), indent=1))
        empty = [c["id"] for c in report.charts if not (c["marks"] or c["canvases"])]
        if report.rendered != "ok" or empty or report.console_errors or report.external_requests():
            return 1
    if args.open_browser:
        webbrowser.open(Path(out["path"]).resolve().as_uri())
    return 0
