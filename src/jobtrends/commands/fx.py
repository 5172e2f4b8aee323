"""``jobtrends fx update [--file PATH]``: refresh the ECB reference rates that convert pay to USD."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from jobtrends import pipeline
from jobtrends.settings import load_settings
from jobtrends.tables import render_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fx",
        help="reference FX rates: fetch the ECB euro reference rates into ref.fx_rates",
        description="Pay is converted to USD with the ECB rates in ref.fx_rates (monthly averages, cross "
        "rates via EUR), falling back to the bundled table src/transform/data/fx_rates.csv.",
    )
    fx_sub = p.add_subparsers(dest="fx_command", metavar="ACTION", required=True)
    u = fx_sub.add_parser(
        "update",
        help="fetch eurofxref-hist.zip from the ECB (or load a downloaded copy) into ref.fx_rates",
    )
    u.add_argument(
        "--file", type=Path, help="a downloaded eurofxref-hist.zip or eurofxref-hist.csv (offline)"
    )
    u.add_argument("--run-date", type=date.fromisoformat, default=None)
    u.add_argument("--format", choices=("text", "json"), default="text")
    u.set_defaults(handler=_update)


def _update(args: argparse.Namespace) -> int:
    settings = load_settings(args.data_dir)
    out = pipeline.update_fx(settings, file=args.file, run_date=args.run_date)
    if args.format == "json":
        print(json.dumps(out, indent=1, default=str))
        return 0
    table = out["table"]
    print(
        render_table(
            ["origin", "files loaded", "rates loaded", "table rows", "currencies", "first", "newest"],
            [
                [
                    out["origin"],
                    out["files"],
                    out["rates"],
                    table["rows"],
                    table["currencies"],
                    table["first_date"],
                    table["newest_date"],
                ]
            ],
        )  # fmt: skip
    )
    print("Postings normalised from now on convert pay with these rates (fx_source = 'ecb:<newest date>').")
    return 1 if out["failed"] else 0
