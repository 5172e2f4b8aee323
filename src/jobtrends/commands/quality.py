"""``jobtrends validate``: run the Great Expectations suites on the warehouse and print a summary."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

from jobtrends.errors import UserError

LAYER_CHOICES = ("raw", "normalised", "marts", "drift", "all")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="validate a warehouse layer with the Great Expectations suites (exit 1 on a critical failure)",
        description=(
            "Validate the warehouse with the suites in expectations/: results go to ops.validation_results, "
            "rows failing a critical row-level check to ops.quarantine, and GX Data Docs (HTML) to "
            "<docs>/data_docs. Exit status 1 when a critical expectation fails; warnings only report."
        ),
    )
    p.add_argument("--layer", choices=LAYER_CHOICES, default="all", help="layer to validate (default: all)")
    p.add_argument("--run-id", help="run id to record results under (default: validate-<UTC timestamp>)")
    p.add_argument(
        "--marts-schema",
        choices=("marts", "marts_next"),
        default="marts",
        help="marts to check: the published ones (marts, default) or the last build (marts_next)",
    )
    p.add_argument("--no-docs", action="store_true", help="skip rendering the Data Docs")
    p.add_argument("--all-checks", action="store_true", help="list every check, not only failures")
    p.set_defaults(handler=_validate)


def _validate(args: argparse.Namespace) -> int:
    from jobtrends import quality, warehouse
    from jobtrends.settings import load_settings

    logging.getLogger(quality.__name__).setLevel(logging.ERROR)  # warnings are in the table below

    settings = load_settings(args.data_dir) if getattr(args, "data_dir", None) else load_settings()
    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}: run `jobtrends run` first")
    run_id = args.run_id or "validate-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    print(f"validating {args.layer} (run {run_id}) …", file=sys.stderr)
    try:
        with warehouse.connect(settings.warehouse_path) as con:
            warehouse.set_memory_limit(con, settings.scan_memory_limit)
            warehouse.ensure_schema(con, settings.sql_dir)
            outcome = quality.validate_layer(
                con,
                args.layer,
                run_id=run_id,
                settings=settings,
                marts_schema=args.marts_schema,
                docs=not args.no_docs,
            )
    except warehouse.WarehouseError as exc:
        raise UserError(str(exc)) from exc
    print(render_outcome(outcome, all_checks=args.all_checks))
    return 0 if outcome.success else 1


def render_outcome(outcome: object, *, all_checks: bool = False) -> str:
    """Per-suite summary table, then the failed (or all) checks, quarantine and docs lines."""
    from jobtrends.quality import ValidationOutcome
    from jobtrends.tables import render_table

    assert isinstance(outcome, ValidationOutcome)
    rows = []
    for suite, results in outcome.by_suite().items():
        rows.append(
            (
                suite,
                outcome.rows.get(suite),
                len(results),
                sum(r.success and not r.skipped for r in results),
                sum(r.critical and not r.success for r in results),
                sum(not r.critical and not r.success for r in results),
                sum(r.skipped for r in results),
            )
        )
    parts = [
        render_table(("suite", "rows", "checks", "passed", "critical failed", "warnings", "skipped"), rows)
        if rows
        else "nothing to validate"
    ]
    shown = outcome.results if all_checks else [r for r in outcome.results if not r.success]
    if shown:
        detail = [
            (
                "ok" if r.success else ("CRITICAL" if r.critical else "warning"),
                r.suite,
                r.expectation,
                r.unexpected_count,
                r.reason if not r.success else "",
                r.observed_value or "",
            )
            for r in shown
        ]
        parts.append(
            render_table(
                ("result", "suite", "expectation", "unexpected", "reason", "observed"), detail, max_width=70
            )
        )
    if outcome.quarantined:
        parts.append(
            f"quarantined {outcome.quarantined} rows: select * from ops.quarantine where run_id = '{outcome.run_id}'"
        )
    if outcome.docs_path:
        parts.append(f"data docs: {outcome.docs_path}")
    parts.append(f"validation {outcome.summary_line()} in {outcome.seconds:.1f}s")
    return "\n\n".join(parts)
