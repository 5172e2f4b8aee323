"""``jobtrends parse KIND FILE...`` (payload → canonical postings as JSON Lines) and ``jobtrends sources``.

``parse`` runs a connector's pure parser on saved payloads: postings to stdout, notes and record
errors to stderr; exit 0 when the files were read (even with zero postings), 2 when a file cannot
be read. ``sources`` lists the configured sources with their health from the run records on disk.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobtrends.commands.args import parse_field_map
from jobtrends.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "parse",
        help="parse saved source payloads into canonical postings (JSON Lines on stdout)",
        description="Run the pure parser of one connector over payload files. Notes and errors go to stderr.",
    )
    p.add_argument(
        "kind", help="connector kind (see `jobtrends sources --kinds`), e.g. greenhouse, remoteok, jsonld"
    )
    p.add_argument("files", nargs="+", type=Path, help="payload files (JSON, HTML, CSV, Parquet...)")
    p.add_argument("--board", help="board token / site the payload came from")
    p.add_argument("--company", help="company name when the payload does not state it")
    p.add_argument("--url", help="URL the payload was fetched from (for relative links)")
    p.add_argument(
        "--fetched-at", help="ISO time the payload was fetched (default: now; resolves 'Posted Today')"
    )
    p.add_argument(
        "--options", help='parser options as JSON, e.g. \'{"format": "csv", "mapping": {"title": "Job"}}\''
    )
    p.add_argument("--format", dest="file_format", help="file kind: csv | json | jsonl | parquet")
    p.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN", help="file kind: column mapping"
    )
    p.set_defaults(handler=_parse)

    s = sub.add_parser("sources", help="list configured sources and their health from recent run records")
    s.add_argument("--file", type=Path, help="sources YAML (default: settings.sources_file)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--kinds", action="store_true", help="list the available connector kinds and exit")
    s.set_defaults(handler=_sources)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.options:
        try:
            options = json.loads(args.options)
        except ValueError as exc:
            raise UserError(f"--options is not valid JSON: {exc}") from None
        if not isinstance(options, dict):
            raise UserError("--options must be a JSON object")
    if args.file_format:
        options["format"] = args.file_format
    if args.map:
        options.setdefault("mapping", {}).update(parse_field_map(args.map))
    return options


def _parse(args: argparse.Namespace) -> int:
    from ingest.base import ParseContext
    from ingest.sources import REGISTRY

    module = REGISTRY.get(args.kind)
    if module is None:
        raise UserError(f"unknown kind {args.kind!r} (known: {', '.join(sorted(REGISTRY))})")
    fetched_at = datetime.now(UTC)
    if args.fetched_at:
        try:
            fetched_at = datetime.fromisoformat(args.fetched_at.replace("Z", "+00:00"))
        except ValueError:
            raise UserError(f"--fetched-at is not an ISO date/time: {args.fetched_at!r}") from None
        fetched_at = fetched_at.replace(tzinfo=UTC) if fetched_at.tzinfo is None else fetched_at
    options = _options(args)
    exit_code = 0
    out = sys.stdout
    for path in args.files:
        try:
            payload = path.read_bytes()
        except OSError as exc:
            print(f"jobtrends parse: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            exit_code = 2
            continue
        ctx = ParseContext(
            fetched_at=fetched_at,
            raw_ref=str(path),
            board=args.board,
            company=args.company,
            url=args.url,
            options=options,
        )
        result = module.parse(payload, ctx)
        for posting in result.postings:
            record = posting.to_record()
            record["location"] = record.get("location_text")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{path}: {len(result.postings)} postings, {len(result.errors)} errors", file=sys.stderr)
        if result.note:
            print(f"{path}: note: {result.note}", file=sys.stderr)
        for err in result.errors:
            print(f"{path}#{err.pointer or ''}: error: {err.reason}", file=sys.stderr)
    out.flush()
    return exit_code


def _health(landing_dir: Path | str) -> dict[str, dict[str, Any]]:
    from ingest.runner import read_run_records

    latest: dict[str, dict[str, Any]] = {}
    for record in read_run_records(landing_dir):
        latest[str(record.get("source_name"))] = record  # sorted oldest first → last wins
    return latest


def health_of(last: dict[str, Any]) -> str:
    """One word for a source's state from its latest run record: never run, healthy, not modified,
    empty (flagged: nothing listed on the first fetch or several in a row), flagged, failed."""
    status = last.get("status")
    if not status:
        return "never run"
    if status == "failed":
        return "failed"
    if last.get("flagged"):
        return "EMPTY" if "flagged: empty:" in str(last.get("error") or "") else "FLAGGED"
    return {"ok": "healthy", "not_modified": "healthy (unchanged)", "empty": "empty"}.get(
        str(status), str(status)
    )


def _sources(args: argparse.Namespace) -> int:
    from ingest.config import ConfigError, load_sources
    from ingest.sources import REGISTRY
    from jobtrends.settings import load_settings

    if args.kinds:
        for kind, module in sorted(REGISTRY.items()):
            print(f"{kind:16} {(module.__doc__ or '').strip().splitlines()[0]}")
        return 0
    settings = load_settings(args.data_dir)
    path = args.file or settings.sources_file
    try:
        specs = load_sources(path)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    from ingest.storage import landing_location

    health = _health(landing_location(settings))
    rows: list[dict[str, Any]] = []
    for spec in specs:
        last = health.get(spec.name, {})
        rows.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "board": spec.board,
                "enabled": spec.enabled,
                "last_run": last.get("started_at"),
                "last_status": last.get("status"),
                "last_postings_seen": last.get("postings_seen"),
                "flagged": bool(last.get("flagged")),
                "health": health_of(last),
                "last_error": last.get("error"),
            }
        )
    if args.format == "json":
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    header = (
        f"{'NAME':34} {'KIND':15} {'BOARD':18} {'ON':3} {'LAST RUN':20} {'STATUS':13} {'POSTINGS':>8} HEALTH"
    )
    print(header)
    for r in rows:
        print(
            f"{r['name'][:34]:34} {r['kind']:15} {(r['board'] or '-')[:18]:18} {'yes' if r['enabled'] else 'no':3} "
            f"{(r['last_run'] or 'never')[:19]:20} {(r['last_status'] or '-'):13} "
            f"{'' if r['last_postings_seen'] is None else r['last_postings_seen']:>8} {r['health']}"
        )
        if r["last_error"] and (r["flagged"] or r["last_status"] == "failed"):
            print(f"    └ {r['last_error'][:160]}")
    enabled = sum(r["enabled"] for r in rows)
    print(
        f"{len(rows)} sources ({enabled} enabled) from {path}; run records in {landing_location(settings)}/_runs"
    )
    return 0
