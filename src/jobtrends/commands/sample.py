"""``jobtrends sample`` (write the synthetic sample's payloads) and ``jobtrends bench`` (benchmarks)."""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

from jobtrends.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "sample",
        help="write the synthetic sample's payloads (every snapshot) to a folder for inspection",
        description="Generate the bundled synthetic sample (fictional companies; no real data) and write the "
        "payloads its transport serves, one folder per snapshot date: <out>/<date>/<source>/<board>.json "
        "(JSON-LD career pages as .html), plus truths.json with the known truths it realises.",
    )
    s.add_argument("--out", type=Path, required=True, help="folder to write (created if missing)")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1.0 ≈ 21k unique roles)")
    s.add_argument("--date", dest="dates", action="append", type=date.fromisoformat, default=None,
                   help="only this snapshot date (repeatable; default: all 25)")  # fmt: skip
    s.set_defaults(handler=_sample)

    b = sub.add_parser(
        "bench",
        help="benchmark every stage on N synthetic postings (wall time, rows/s, peak memory, PASS/FAIL)",
        description="Same as `python -m jobtrends.bench`: generates N postings as JSON Lines dumps, runs landing, "
        "raw load (vs DuckDB read_json), normalise, build and rebuild (validation included), export, a "
        "20,000-posting increment, dashboard queries and one end-to-end run, with peak RSS per stage.",
    )
    from jobtrends.bench import add_arguments

    add_arguments(b)
    b.set_defaults(handler=_bench)


def _file_name(url: str) -> tuple[str, str]:
    """(source folder, file name) for a payload URL."""
    m = re.match(r"https://([^/]+)/(.*?)(?:\?.*)?$", url)
    host, path = (m.group(1), m.group(2)) if m else ("other", url)
    if "greenhouse" in host:
        return "greenhouse", path.split("/")[2] + ".json"
    if "lever" in host:
        return "lever", path.split("/")[2] + ".json"
    if "ashby" in host:
        return "ashby", path.split("/")[2] + ".json"
    if "remoteok" in host:
        return "remoteok", "api.json"
    return "jsonld", f"{host}__{path.replace('/', '_')}.html"


def write_sample(
    out: Path, *, seed: int = 7, scale: float = 1.0, dates: list[date] | None = None
) -> dict[str, int]:
    """Write every snapshot's payloads under ``out``; return files and bytes written."""
    from jobtrends.sample import generate_world, realised_truths

    world = generate_world(seed=seed, scale=scale)
    wanted = dates or world.snapshot_dates()
    unknown = [d for d in wanted if d not in world.snapshot_dates()]
    if unknown:
        raise UserError(
            f"not a snapshot date: {unknown[0]} (snapshots are the 1st of each month 2024-01 … 2026-01)"
        )
    files = size = 0
    for day in wanted:
        for url, body in world.payloads(day).items():
            folder, name = _file_name(url)
            path = out / day.isoformat() / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            files += 1
            size += len(body)
    truths = realised_truths(world)
    (out / "truths.json").write_text(
        json.dumps({k: _jsonable(v) for k, v in truths.items()}, indent=1, sort_keys=True) + "\n"
    )
    specs = [
        {"kind": s.kind, "name": s.name, "board": s.board, "company": s.company, "params": s.params}
        for s in world.source_specs()
    ]
    (out / "sources.json").write_text(json.dumps(specs, indent=1) + "\n")
    return {"files": files, "bytes": size, "snapshots": len(wanted)}


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {
            "|".join(map(str, k)) if isinstance(k, tuple) else str(k): _jsonable(v) for k, v in value.items()
        }
    return value


def _sample(args: argparse.Namespace) -> int:
    stats = write_sample(args.out, seed=args.seed, scale=args.scale, dates=args.dates)
    print(
        f"wrote {stats['files']:,} payloads ({stats['bytes'] / 1e6:,.1f} MB) for {stats['snapshots']} snapshots "
        f"to {args.out} (synthetic sample, seed {args.seed}, scale {args.scale})"
    )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from jobtrends.bench import run_from_args

    return run_from_args(args)
