"""Landing zone → raw layer.

Payload files are parsed by their source's pure parser (in worker processes: rendering HTML
descriptions is the expensive part) and written in batches, each batch in one transaction together
with its ledger rows, so a crash leaves every landing file either fully loaded or not at all.
File dumps (JSONL, CSV, Parquet) skip Python entirely and load through DuckDB's own readers.
Idempotent: a landing file is loaded once (``ops.landing_files``, keyed by its landing-relative path and
sha256, so a moved or renamed data folder reloads nothing) and a posting version once (source + id +
content hash, :func:`jobtrends.warehouse.content_hash_sql` on both load paths, computed by
:func:`jobtrends.warehouse.fast_content_hash_sql`). Paths stored in the raw and
ops tables (``landing_file``, ``raw_ref``) are relative to the landing zone.

A landing zone on object storage (``settings.landing_url = s3://…``) is loaded through a local copy of
the pending files (:func:`staged_landing`): the parsers and DuckDB's readers read local files, and the
keys, hence the ledger and every stored path, are the same as for a local landing zone.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.base import ParseContext
from ingest.landing import (
    META_SUFFIX,
    LandingFile,
    durable_keys,
    iter_landing,
    names_its_content,
    sweep_temp_files,
)
from ingest.models import POSTING_FIELDS, Posting
from ingest.storage import is_remote, landing_location, open_storage
from jobtrends import warehouse
from jobtrends.progress import report_count
from jobtrends.settings import Settings

RUNS_DIR = "_runs"
NATIVE_FILE_FORMATS = {"jsonl", "ndjson", "csv", "parquet"}
BATCH_BYTES = 64_000_000
BATCH_FILES = 400
STAGE_BYTES = 1_000_000_000
"""An object-store landing zone is copied locally and loaded in chunks of about this many payload bytes."""
MAX_RECORD_CHARS = 20_000
Progress = Callable[[str], None]

_ARROW_TYPES: dict[str, pa.DataType] = {
    "remote": pa.bool_(),
    "pay_is_estimate": pa.bool_(),
    "pay_min": pa.float64(),
    "pay_max": pa.float64(),
    "posted_at": pa.timestamp("us", tz="UTC"),
    "fetched_at": pa.timestamp("us", tz="UTC"),
    "run_date": pa.date32(),
}


@dataclass(slots=True)
class ParsedFile:
    landing: LandingFile
    postings: list[Posting] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None


def parse_landing(landing: LandingFile) -> ParsedFile:
    """Parse one landing file with its source's parser; never raises (failures become errors)."""
    from ingest.sources import get as get_source

    meta = landing.meta
    out = ParsedFile(landing)
    try:
        ctx = ParseContext(
            fetched_at=datetime.fromisoformat(meta.fetched_at),
            raw_ref=warehouse.landing_key(str(landing.path)),
            board=meta.board,
            url=meta.url,
            options=meta.options or {},
        )
        result = get_source(meta.source).parse(landing.path.read_bytes(), ctx)
    except Exception as exc:  # a parser bug must not lose the payload: quarantine the whole file
        out.errors.append(
            {"reason": _storable(f"parser failed: {type(exc).__name__}: {exc}"), "check_name": "parse"}
        )
        return out
    out.note = result.note
    out.errors = [
        {
            "reason": _storable(e.reason),
            "pointer": _storable(e.pointer),
            "record": _storable(_cut(e.record)),
            "check_name": "parse",
        }
        for e in result.errors
    ]
    for posting in result.postings:
        problem = admission_problem(posting)
        if problem is None:
            out.postings.append(posting)
        else:
            record = _storable(json.dumps(posting.to_record(), default=str, ensure_ascii=False))
            out.errors.append(
                {
                    "reason": problem[1],
                    "pointer": posting.raw_ref,
                    "record": _cut(record),
                    "check_name": problem[0],
                    "posting_key": _storable(f"{posting.source}:{posting.source_id}"),
                }
            )
    return out


def admission_problem(posting: Posting) -> tuple[str, str] | None:
    """``(check, reason)`` when a parsed posting cannot enter the raw layer (it is quarantined instead)."""
    if not (posting.title or "").strip():
        return "title_present", "posting has no title"
    if not isinstance(posting.source_id, str) or not posting.source_id.strip():
        # every such posting would share one posting key and pass for versions of each other
        return "id_present", "posting has no source id"
    return None


_SURROGATES = re.compile("[\ud800-\udfff]")


def _storable(value: Any) -> Any:
    """Text as UTF-8 can hold it: lone surrogates (JSON ``\\ud800`` escapes decode to them) → U+FFFD."""
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATES.sub("\ufffd", value)
    return value


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MAX_RECORD_CHARS else text[:MAX_RECORD_CHARS] + "…"


def _is_native(landing: LandingFile) -> bool:
    options = landing.meta.options or {}
    return landing.meta.source == "file" and str(options.get("format", "")).lower() in NATIVE_FILE_FORMATS


def _native_groups(files: Sequence[LandingFile]) -> list[list[LandingFile]]:
    """Dumps that share a format and column mapping load together in one DuckDB read."""
    groups: dict[str, list[LandingFile]] = {}
    for lf in files:
        options = lf.meta.options or {}
        key = json.dumps(
            [lf.meta.board, options.get("format"), options.get("mapping"), options.get("source_name")],
            sort_keys=True,
            default=str,
        )
        groups.setdefault(key, []).append(lf)
    return list(groups.values())


def _batches(files: Sequence[LandingFile]) -> Iterator[list[LandingFile]]:
    batch: list[LandingFile] = []
    size = 0
    for lf in files:
        batch.append(lf)
        size += lf.meta.size_bytes
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def load(
    settings: Settings, *, progress: Progress = lambda _: None, workers: int | None = None
) -> dict[str, Any]:
    """Load every landing file not loaded yet; return counts."""
    location = landing_location(settings)
    if is_remote(location):
        return _load_object_store(settings, progress=progress, workers=workers)
    if location != settings.landing_dir:  # a local path given as landing_url
        settings = _local(settings, Path(location))
    started = time.perf_counter()
    totals: dict[str, Any] = {
        "files": 0,
        "postings": 0,
        "new_postings": 0,
        "quarantined": 0,
        "source_runs": 0,
    }
    totals["temp_files_swept"] = sweep_temp_files(settings.landing_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        done = warehouse.loaded_landing_files(con)
    # a landed name embeds its content's sha256: a payload the ledger holds under its own name is loaded,
    # and its metadata is not read again (the landing zone grows by a file per source and night)
    loaded = {key for key, sha in done if names_its_content(key, sha)}
    pending = [
        lf
        for lf in iter_landing(settings.landing_dir, known=loaded)
        if (warehouse.landing_key(str(lf.path)), lf.meta.sha256) not in done
    ]
    # reference tables (ECB FX rates) go to ref.*, not to the postings tables
    reference = [lf for lf in pending if lf.meta.source == "fx"]
    pending = [lf for lf in pending if lf.meta.source != "fx"]
    if reference:
        totals["fx_rates"] = load_fx_files(settings, reference)["rates"]
    native = [lf for lf in pending if _is_native(lf)]
    parsed_files = [lf for lf in pending if not _is_native(lf)]
    if pending:
        progress(
            f"  {len(pending):,} landing files to load ({sum(lf.meta.size_bytes for lf in pending) / 1e6:,.1f} MB)"
        )

    for group in _native_groups(native):
        with warehouse.connect(settings.warehouse_path) as con:
            stats = warehouse.in_transaction(
                con,
                lambda c, group=group: warehouse.load_file_dumps_native(
                    c, [(lf.path, lf.meta) for lf in group], memory_limit=settings.load_memory_limit
                ),
            )
        if stats is None:  # DuckDB could not read all of them: the parser keeps every good record
            parsed_files.extend(group)
            continue
        _add(totals, stats, files=len(group))
        progress(f"  loaded {len(group)} file dump(s) natively: {stats['postings']:,} postings")
        report_count(progress, "load", totals["files"], len(pending), "files")

    workers = workers or settings.workers
    pool = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        if workers > 1 and len(parsed_files) > 8
        else None
    )
    try:
        for batch in _batches(parsed_files):
            # parse before opening the warehouse: workers are forked without an open DuckDB handle
            parsed = (
                list(pool.map(parse_landing, batch, chunksize=4))
                if pool
                else [parse_landing(lf) for lf in batch]
            )
            with warehouse.connect(settings.warehouse_path) as con:
                stats = warehouse.in_transaction(con, lambda c, parsed=parsed: _write_batch(c, parsed))
            _add(totals, stats, files=len(batch))
            report_count(progress, "load", totals["files"], len(pending), "files")
    finally:
        if pool:
            pool.shutdown()

    with warehouse.connect(settings.warehouse_path) as con:
        totals["source_runs"] = warehouse.in_transaction(con, lambda c: _load_run_records(c, settings))
    totals["seconds"] = round(time.perf_counter() - started, 2)
    return totals


def load_fx_files(settings: Settings, files: Sequence[LandingFile]) -> dict[str, Any]:
    """Landed ECB histories → ``ref.fx_rates`` (each file in one transaction with its ledger row); an
    unreadable file is quarantined with the reason and its landing file kept."""
    from ingest.sources.fx import parse_ecb_csv, read_ecb_payload

    out: dict[str, Any] = {"files": 0, "rates": 0, "failed": 0}
    store = open_storage(landing_location(settings))
    for lf in files:
        try:
            # on object storage (lf.url set) the path is the file's key
            payload = store.read_bytes(lf.path.as_posix()) if lf.url else lf.path.read_bytes()
            rows, error = parse_ecb_csv(read_ecb_payload(payload)), None
        except (OSError, ValueError, csv.Error) as exc:
            rows, error = [], f"unreadable ECB reference-rate history: {exc}"
        with warehouse.connect(settings.warehouse_path) as con:
            warehouse.ensure_schema(con, settings.sql_dir)
            out["rates"] += warehouse.in_transaction(
                con, lambda c, lf=lf, rows=rows, error=error: _write_fx_file(c, lf, rows, error)
            )
        out["files"] += 1
        out["failed"] += int(bool(error))
    return out


def _write_fx_file(con: Any, lf: LandingFile, rows: list[tuple[str, str, float]], error: str | None) -> int:
    path = warehouse.landing_key(str(lf.path))  # relative to the landing zone, as the other loads
    n = warehouse.upsert_fx_rates(con, rows, source="ecb", landing_file=path) if rows else 0
    note = error or f"{n:,} ECB rates loaded into ref.fx_rates"
    status = "failed" if error else "loaded"
    warehouse.record_landing_file(
        con, path, lf.meta.sha256, lf.meta.source, lf.meta.run_date, 0, int(bool(error)), status, note
    )
    if error:
        quarantine = {"stage": "load", "source": "fx", "landing_file": path, "check_name": "parse"}
        warehouse.insert_quarantine(con, [{**quarantine, "reason": error}])
    return n


def _add(totals: dict[str, int], stats: dict[str, int], files: int) -> None:
    totals["files"] += files
    for key in ("postings", "new_postings", "quarantined"):
        totals[key] += stats[key]


def _write_batch(con: Any, parsed: list[ParsedFile]) -> dict[str, int]:
    postings = _postings_table(parsed)
    new = warehouse.insert_raw_batch(con, postings)
    listings, ledger, quarantine = [], [], []
    for pf in parsed:
        meta, path = pf.landing.meta, warehouse.landing_key(str(pf.landing.path))
        listings.append(
            {
                "source": meta.source,
                "board": meta.board,
                "fetched_at": datetime.fromisoformat(meta.fetched_at),
                "run_date": date.fromisoformat(meta.run_date),
                "complete_listing": bool(meta.complete_listing) and not pf.errors,
                "postings": len(pf.postings),
                "landing_file": path,
            }
        )
        status = "loaded" if pf.postings else ("failed" if pf.errors else "empty")
        ledger.append(
            {
                "landing_file": path,
                "landing_path": path,
                "sha256": meta.sha256,
                "source": meta.source,
                "run_date": date.fromisoformat(meta.run_date),
                "postings": len(pf.postings),
                "errors": len(pf.errors),
                "status": status,
                "note": pf.note,
            }
        )
        quarantine += [{"stage": "load", "source": meta.source, "landing_file": path, **e} for e in pf.errors]
    warehouse.insert_arrow(con, "raw.listings", pa.Table.from_pylist(listings))
    warehouse.insert_arrow(con, "ops.landing_files", pa.Table.from_pylist(ledger))
    warehouse.insert_quarantine(con, quarantine)
    return {"postings": postings.num_rows, "new_postings": new, "quarantined": len(quarantine)}


def _postings_table(parsed: list[ParsedFile]) -> pa.Table:
    rows: dict[str, list[Any]] = {name: [] for name in POSTING_FIELDS}
    rows.update(posting_key=[], landing_file=[], run_date=[])
    for pf in parsed:
        landing_file = warehouse.landing_key(str(pf.landing.path))
        run_date = date.fromisoformat(pf.landing.meta.run_date)
        for p in pf.postings:
            for name in POSTING_FIELDS:
                value = getattr(p, name)
                if name == "extra":
                    value = json.dumps(value, default=str, ensure_ascii=False) if value else None
                rows[name].append(_storable(value))
            rows["posting_key"].append(_storable(f"{p.source}:{p.source_id}"))
            rows["landing_file"].append(landing_file)
            rows["run_date"].append(run_date)
    schema = pa.schema([(name, _ARROW_TYPES.get(name, pa.string())) for name in rows])
    return pa.table(rows, schema=schema)


def _load_run_records(con: Any, settings: Settings) -> int:
    """Move the fetch runner's run records (JSON files) into ``ops.source_runs``."""
    runs_dir = settings.landing_dir / RUNS_DIR
    if not runs_dir.exists():
        return 0
    known = warehouse.loaded_run_records(con)
    records, bad = [], []
    for path in sorted(runs_dir.glob("dt=*/*.json")):
        key = warehouse.landing_key(str(path))  # _runs/dt=<date>/<name>.json
        if key in known:
            continue
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            bad.append(
                {
                    "stage": "load",
                    "landing_file": key,
                    "check_name": "run_record",
                    "reason": f"unreadable run record: {exc}",
                }
            )
            continue
        record["record_file"] = key
        records.append(record)
    warehouse.insert_quarantine(con, bad)
    return warehouse.insert_source_runs(con, records)


# ----------------------------------------------------------------------------- object-storage landing zone


def _local(settings: Settings, root: Path) -> Settings:
    return settings.with_overrides(landing_dir=root, landing_url=None)


@contextmanager
def staged_landing(settings: Settings, keys: Sequence[str], metas: dict[str, bytes]) -> Iterator[Settings]:
    """Settings whose landing zone is a temp folder holding copies of ``keys`` (payloads, with their
    metadata ``metas[key + META_SUFFIX]``) of the object-store landing zone, in the same layout."""
    store = open_storage(landing_location(settings))
    with tempfile.TemporaryDirectory(prefix="jobtrends-landing-") as tmp:
        root = Path(tmp)
        store.download(keys, root)
        for key in keys:
            meta = metas.get(key + META_SUFFIX)
            if meta is not None:
                (root / (key + META_SUFFIX)).write_bytes(meta)
        yield _local(settings, root)


def _load_object_store(settings: Settings, *, progress: Progress, workers: int | None) -> dict[str, Any]:
    """Load the files of an object-store landing zone not in the ledger yet: copied locally in chunks of
    about :data:`STAGE_BYTES`, each loaded by :func:`load` (the run records with the first chunk)."""
    started = time.perf_counter()
    store = open_storage(landing_location(settings))
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        loaded = {path for path, _ in warehouse.loaded_landing_files(con)}
        known_runs = warehouse.loaded_run_records(con)
    # A landed name embeds its sha256 prefix, so a key in the ledger is that content: only new keys are
    # read (the local load below still checks path and sha256).
    pending = [k for k in durable_keys(store) if k not in loaded]
    metas = store.read_many(k + META_SUFFIX for k in pending)
    pending = [k for k in pending if k + META_SUFFIX in metas]
    runs = [k for k in store.glob(f"{RUNS_DIR}/dt=*/*.json") if k not in known_runs]
    chunks: list[list[str]] = [[]]
    size = 0
    for key in pending:
        if chunks[-1] and size >= STAGE_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(key)
        size += int(json.loads(metas[key + META_SUFFIX]).get("size_bytes") or 0)
    totals: dict[str, Any] = {}
    for i, chunk in enumerate(chunks):
        staged = chunk + (runs if i == 0 else [])
        if len(chunks) > 1:
            progress(f"  copying {len(chunk):,} landing files from {store.root} (part {i + 1}/{len(chunks)})")
        with staged_landing(settings, staged, metas) as local:
            out = load(local, progress=progress, workers=workers)
        for name, value in out.items():
            if isinstance(value, int | float) and name != "seconds":
                totals[name] = totals.get(name, 0) + value
    totals["staged_files"] = len(pending) + len(runs)
    totals["seconds"] = round(time.perf_counter() - started, 2)
    return totals
