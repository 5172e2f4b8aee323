"""``jobtrends report``, ``jobtrends marts`` and ``jobtrends export``.

Thin dispatch over :mod:`jobtrends.report`, :mod:`jobtrends.marts` and :mod:`jobtrends.export`;
report and marts read the warehouse read-only.
"""

from __future__ import annotations

import argparse
import json
import re

from ingest.storage import exports_location
from jobtrends import export, marts, report, warehouse
from jobtrends.errors import UserError
from jobtrends.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "report",
        help="headline tables (salaries, fastest-growing roles, top skills, wage premium) with claim ids",
    )
    r.add_argument("--format", choices=report.FORMATS, default="table")
    r.set_defaults(handler=_report)

    m = sub.add_parser("marts", help="list the published marts with their grain and description")
    m.add_argument("--format", choices=("table", "json"), default="table")
    m.add_argument(
        "--fingerprints",
        action="store_true",
        help="print each mart's row count and order-independent content hash (compare two warehouses)",
    )
    m.set_defaults(handler=_marts)

    e = sub.add_parser(
        "export", help="write every mart as Parquet to <exports>/<run_date>/ and <exports>/latest/"
    )
    e.add_argument("--run-date", help="YYYY-MM-DD (default: today, UTC)")
    e.set_defaults(handler=_export)


def _has_marts(con) -> bool:
    rows = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'claims'"
    ).fetchall()
    return bool(rows and rows[0][0])


def _report(args: argparse.Namespace) -> int:
    settings = load_settings(args.data_dir)
    try:
        with warehouse.connect(settings.warehouse_path, read_only=True) as con:
            if not _has_marts(con):
                raise UserError("no published marts yet: run `jobtrends run` (or the build stage) first")
            data = report.load_report(con, settings.sql_dir)
    except warehouse.WarehouseError as exc:
        raise UserError(str(exc)) from exc
    print(report.render(data, args.format), end="")
    return 0


def _marts(args: argparse.Namespace) -> int:
    settings = load_settings(args.data_dir)
    try:
        with warehouse.connect(settings.warehouse_path, read_only=True) as con:
            rows = marts.list_marts(con)
            prints = {n: warehouse.table_fingerprint(con, f"marts.{n}") for n, _, _ in rows}
    except warehouse.WarehouseError as exc:
        raise UserError(str(exc)) from exc
    if not rows:
        raise UserError("no published marts yet: run `jobtrends run` (or the build stage) first")
    if args.fingerprints:
        if args.format == "json":
            print(json.dumps({n: {"rows": c, "hash": h} for n, (c, h) in prints.items()}, indent=2))
        else:
            for name, (count, digest) in prints.items():
                print(f"marts.{name}\t{count}\t{digest}")
        return 0
    if args.format == "json":
        print(json.dumps([{"name": n, "grain": g, "description": d} for n, g, d in rows], indent=2))
        return 0
    for name, grain, description in rows:
        print(f"marts.{name}\n  grain: {grain}\n  {description}\n")
    return 0


def _export(args: argparse.Namespace) -> int:
    settings = load_settings(args.data_dir)
    if args.run_date and not re.match(r"^\d{4}-\d{2}-\d{2}$", args.run_date):
        raise UserError(f"--run-date must be YYYY-MM-DD, got {args.run_date!r}")
    try:
        with warehouse.connect(settings.warehouse_path, read_only=True) as con:
            if not export.mart_names(con):
                raise UserError("no published marts yet: run `jobtrends run` (or the build stage) first")
            summary = export.write_exports(con, exports_location(settings), args.run_date)
    except warehouse.WarehouseError as exc:
        raise UserError(str(exc)) from exc
    print(json.dumps(summary, indent=2))
    return 0
