"""``jobtrends run``, ``query``, ``ingest``, ``load`` and ``import``: the pipeline and ad hoc SQL."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from jobtrends import pipeline, warehouse
from jobtrends.commands.args import parse_field_map
from jobtrends.errors import UserError
from jobtrends.progress import StageProgress
from jobtrends.settings import Settings, load_settings
from jobtrends.tables import render, render_table


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "run",
        help="run the whole pipeline: ingest → load → normalise → validate → build marts → export → summary",
        description="Run every stage. --sample uses the bundled synthetic sample (offline); otherwise the "
        "sources file (config/sources.yaml or $JOBTRENDS_SOURCES_FILE) is fetched live.",
    )
    r.add_argument("--sample", action="store_true", help="ingest the bundled synthetic sample (no network)")
    r.add_argument(
        "--run-date",
        type=date.fromisoformat,
        help="logical date of the run (default: today; "
        "with --sample, the sample's snapshots up to this date)",
    )
    r.add_argument("--json", dest="json_out", type=Path, help="also write the run summary as JSON here")
    r.add_argument(
        "--full",
        action="store_true",
        help="validate every raw and normalised row, not only the new batch, and rebuild the dedup "
        "step and every mart even when nothing changed",
    )
    r.set_defaults(handler=_run)

    q = sub.add_parser(
        "query",
        help="run one read-only SQL statement against the warehouse",
        description="Ad hoc, read-only SQL (statements that write are refused). Example: "
        'jobtrends query "select * from marts.agg_title_growth limit 5"',
    )
    q.add_argument("sql", help="the SQL statement")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--limit", type=int, default=None, help="print at most this many rows (table format)")
    q.set_defaults(handler=_query)

    i = sub.add_parser("ingest", help="fetch configured sources into the landing zone (no warehouse writes)")
    i.add_argument("--source", action="append", help="only this source name (repeatable)")
    i.add_argument("--run-date", type=date.fromisoformat, default=None)
    i.add_argument("--sample", action="store_true", help="use the synthetic sample's sources")
    i.set_defaults(handler=_ingest)

    ld = sub.add_parser("load", help="load new landing files into the raw layer (idempotent)")
    ld.set_defaults(handler=_load)

    imp = sub.add_parser("import", help="land CSV/JSON/JSONL/Parquet dumps with a column mapping")
    imp.add_argument("file", type=Path, nargs="+", help="one or more files (landed in parallel)")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="canonical field = column in the file (repeatable); unmapped fields use same-named columns",
    )
    imp.add_argument("--format", dest="fmt", choices=("csv", "json", "jsonl", "parquet"))
    imp.add_argument("--name", help="source name for the postings (default: file stem)")
    imp.add_argument("--run-date", type=date.fromisoformat, default=None)
    imp.set_defaults(handler=_import)


def _settings(args: argparse.Namespace, sample: bool = False) -> Settings:
    settings = load_settings(args.data_dir)
    return settings.with_overrides(sample=True) if sample else settings


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args, args.sample)
    try:
        with StageProgress() as progress:  # bars on a terminal, plain lines otherwise
            summary = pipeline.run(settings, args.run_date, progress=progress, full=args.full)
    except pipeline.ValidationFailed as exc:
        # exit 3: publishing blocked (a structural failure, or too much of the batch quarantined)
        print(f"jobtrends: {exc}", file=sys.stderr)
        return 3
    if args.json_out:
        args.json_out.write_text(json.dumps(summary, indent=1, default=str))
    print(pipeline.render_summary(settings, summary))
    return 0


def _query(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        columns, rows = warehouse.query(settings.warehouse_path, args.sql)
    except warehouse.WarehouseBusyError:
        raise  # a writer has the file open: exit 75, try again
    except warehouse.WarehouseError as exc:
        raise UserError(str(exc)) from exc
    shown = rows[: args.limit] if args.limit else rows
    print(render(columns, shown, args.format), flush=True)
    if args.format == "table":
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)
    return 0


def _ingest(args: argparse.Namespace) -> int:
    settings = _settings(args, args.sample)
    run_date = args.run_date or date.today()
    specs = pipeline.source_specs(settings)
    if args.source:
        unknown = set(args.source) - {s.name for s in specs}
        if unknown:
            raise UserError(f"unknown source(s): {', '.join(sorted(unknown))}")
        specs = [s for s in specs if s.name in args.source]
    with StageProgress() as progress:
        out = pipeline.ingest(settings, run_date, sources=specs, progress=progress)
    print(
        render_table(
            ["run_date", "sources", "failed", "postings_seen"],
            [[out["run_date"], out["sources"], len(out["failed"]), out["postings_seen"]]],
        )
    )
    return 1 if out["failed"] and len(out["failed"]) == out["sources"] else 0


def _load(args: argparse.Namespace) -> int:
    with StageProgress() as progress:
        out = pipeline.load(_settings(args), progress=progress)
    print(render_table(list(out), [list(out.values())]))
    return 0


def _import(args: argparse.Namespace) -> int:
    mapping = parse_field_map(args.map)
    landed = pipeline.import_files(
        _settings(args), args.file, mapping or None, args.fmt, args.run_date, args.name
    )
    for path, out in zip(args.file, landed, strict=True):
        print(f"landed {path} → {out['landing_file']} ({out['bytes']:,} bytes)")
    print("run `jobtrends load` next")
    return 0
