"""Normalise fanned out over many workers: slices of raw rows, Parquet parts, one merge.

The one-process path is :func:`jobtrends.pipeline.normalise` (the CLI's). This module splits the
same work in three steps so that the CPU-bound middle one runs on any number of Airflow workers:

1. :func:`plan` — the single DuckDB writer exports the raw rows still to normalise as Parquet
   *slices* under ``<parts_url>/<batch>/input/`` and writes ``manifest.json`` last (taxonomy version,
   the FX table the writer would use, the rows of every slice). A manifest therefore means a
   complete batch.
2. :func:`normalise_slice` — any worker, **no DuckDB**: reads one slice, runs the batch normaliser
   (:func:`transform.batch.normalise_table`, the same code as the one-process path) and writes one
   *part* ``<batch>/parts/<slice>.parquet`` (the normalised rows with each description's MinHash
   signature for the build's near-duplicate step). The part's Parquet key-value metadata carries its row
   count and the rule errors (:mod:`ingest.rule_errors`) counted while making it. A part appears
   whole or not at all (local: a temporary name renamed; object storage: one upload), so a failed slice
   leaves nothing to merge and its retry simply writes the part.
3. :func:`merge` — the single writer checks that every slice has its part, then in one transaction
   appends the rows not yet in ``normalised.postings``, stores the signatures, and replaces the batch's rows of
   ``ops.normalise_errors`` with the sum over the parts: re-running a slice or the merge adds
   nothing twice. Then the slices and parts are deleted and ``merged.json`` (the summary) stays:
   merging the batch again returns it. The next :func:`plan` deletes older batch folders.

``parts_url`` (``JOBTRENDS_PARTS_URL``) is a local path (default ``<data_dir>/parts``) or any
fsspec URL such as ``s3://bucket/prefix`` (the standard ``AWS_*`` variables, ``AWS_ENDPOINT_URL``
for MinIO and other S3-compatible stores): every worker host must see the same location.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.storage import storage_options
from jobtrends.settings import Settings

MANIFEST = "manifest.json"
#: Left in a batch folder by a successful merge (its summary) after the slices and parts are deleted.
MERGED = "merged.json"
#: Keys of a part's Parquet metadata.
META_BATCH, META_SLICE, META_ROWS, META_ERRORS, META_VERSION = (
    b"jobtrends.batch",
    b"jobtrends.slice",
    b"jobtrends.rows",
    b"jobtrends.rule_errors",
    b"jobtrends.taxonomy_version",
)
#: Airflow maps at most 1024 task instances per task by default (``core.max_map_length``).
MAX_SLICES = 1024
_BATCH_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$")
_SLICE_RE = re.compile(r"^slice-\d{5}$")


class PartsError(RuntimeError):
    """A batch of parts is missing or inconsistent (wrong code version, a part that does not match)."""


# ----------------------------------------------------------------------------- storage


def parts_url(settings: Settings) -> str:
    """Where slices and parts live: ``JOBTRENDS_PARTS_URL``, else ``<data_dir>/parts``."""
    return settings.parts_url or str(settings.data_dir / "parts")


def _storage_options(url: str) -> dict[str, Any]:
    """Client options from the environment, the landing zone's (:func:`ingest.storage.storage_options`)."""
    return storage_options(url.split("://", 1)[0] if "://" in url else "file")


def _store(settings: Settings) -> tuple[Any, str]:
    """``(filesystem, root path)`` of the parts location."""
    url = parts_url(settings)
    if "://" not in url:
        return fsspec.filesystem("file"), os.path.abspath(url).rstrip("/")
    fs, root = fsspec.core.url_to_fs(url, **_storage_options(url))
    return fs, root.rstrip("/")


def _is_local(fs: Any) -> bool:
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
    return bool({"file", "local"} & set(protocols))


def _write_atomic(fs: Any, path: str, write: Any) -> None:
    """Write ``path`` so a reader sees the whole object or none: on a local disk through a temporary
    name renamed into place; on object storage one upload completes (or not) as a whole."""
    parent = path.rsplit("/", 1)[0]
    fs.makedirs(parent, exist_ok=True)
    if _is_local(fs):
        tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
        try:
            with open(tmp, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return
    with fs.open(path, "wb") as f:
        write(f)


def _write_parquet(fs: Any, path: str, table: pa.Table) -> None:
    _write_atomic(fs, path, lambda f: pq.write_table(table, f, compression="zstd"))


def _read_parquet(fs: Any, path: str) -> pa.Table:
    with fs.open(path, "rb") as f:
        return pq.read_table(f)


def _check_batch(batch: str) -> str:
    if not _BATCH_RE.match(batch or ""):
        raise PartsError(f"not a batch id: {batch!r}")
    return batch


def _check_slice(slice_name: str) -> str:
    if not _SLICE_RE.match(slice_name or ""):
        raise PartsError(f"not a slice name: {slice_name!r}")
    return slice_name


def read_manifest(settings: Settings, batch: str) -> dict[str, Any]:
    fs, root = _store(settings)
    path = f"{root}/{_check_batch(batch)}/{MANIFEST}"
    if not fs.exists(path):
        raise PartsError(
            f"no manifest for batch {batch} at {parts_url(settings)}: the plan did not finish, the batch "
            "was merged and cleaned up already, or this host sees another JOBTRENDS_PARTS_URL"
        )
    with fs.open(path, "rb") as f:
        return json.loads(f.read())


# ----------------------------------------------------------------------------- 1. plan (the writer)


def new_batch_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def _slice_rows(settings: Settings, total: int) -> int:
    rows = max(1, settings.normalise_slice_rows)
    return max(rows, -(-total // MAX_SLICES))  # grow the slices rather than exceed the mapping limit


def plan(settings: Settings, batch: str | None = None) -> dict[str, Any]:
    """Export the raw rows still to normalise as Parquet slices of a new batch (the DuckDB writer).

    Earlier batches left behind by failed runs are deleted first: their rows are still unnormalised,
    so this batch exports them again. Returns ``{"batch", "slices", "rows", "taxonomy_version"}``.
    """
    from jobtrends import pipeline, warehouse
    from transform.titles import TAXONOMY_VERSION

    batch = _check_batch(batch or new_batch_id())
    fs, root = _store(settings)
    started = time.perf_counter()
    with pipeline.writing(settings), warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        fx_rows, fx_newest = warehouse.fx_monthly_usd(con, settings.sql_dir)
        pending = warehouse.find_unnormalised(con, TAXONOMY_VERSION)
        total = pending.rows
        _remove_batches(fs, root, keep=batch)
        slices: list[dict[str, Any]] = []
        chunks = warehouse.iter_unnormalised(con, TAXONOMY_VERSION, _slice_rows(settings, total), pending)
        for i, table in enumerate(chunks):
            name = f"slice-{i:05d}"
            _write_parquet(fs, f"{root}/{batch}/input/{name}.parquet", table)
            slices.append({"slice": name, "rows": table.num_rows})
    manifest = {
        "batch": batch,
        "taxonomy_version": TAXONOMY_VERSION,
        "fx": {"rows": fx_rows, "newest": fx_newest},
        "slices": slices,
        "rows": sum(s["rows"] for s in slices),
        "created_at": datetime.now(UTC).isoformat(),
    }
    body = json.dumps(manifest).encode()
    _write_atomic(fs, f"{root}/{batch}/{MANIFEST}", lambda f: f.write(body))  # last: the batch is complete
    return {
        "batch": batch,
        "slices": [s["slice"] for s in slices],
        "rows": manifest["rows"],
        "taxonomy_version": TAXONOMY_VERSION,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _remove_batches(fs: Any, root: str, keep: str) -> None:
    if not fs.exists(root):
        return
    for entry in fs.ls(root, detail=False):
        name = entry.rstrip("/").rsplit("/", 1)[-1]
        if name != keep and _BATCH_RE.match(name):
            fs.rm(entry, recursive=True)


# ----------------------------------------------------------------------------- 2. one slice (any worker)


def _errors_to_json(errors: Any) -> bytes:
    return json.dumps(
        {
            "counts": dict(sorted(errors.counts.items())),
            "examples": {k: list(v) for k, v in errors.examples.items()},
        }
    ).encode()


def _errors_from_json(raw: bytes | None) -> Any:
    from collections import Counter

    from ingest.rule_errors import RuleErrors

    data = json.loads(raw) if raw else {}
    return RuleErrors(
        Counter({k: int(v) for k, v in data.get("counts", {}).items()}),
        {k: (str(v[0]), str(v[1])) for k, v in data.get("examples", {}).items()},
    )


def normalise_slice(settings: Settings, batch: str, slice_name: str) -> dict[str, Any]:
    """Normalise one slice of a batch into its part. Opens no DuckDB file (runs on any worker)."""
    from ingest.rule_errors import RuleErrors
    from transform import fx
    from transform.batch import normalise_table
    from transform.dedup import DEFAULT_NUM_PERM
    from transform.titles import TAXONOMY_VERSION

    started = time.perf_counter()
    manifest = read_manifest(settings, batch)
    slice_name = _check_slice(slice_name)
    if manifest["taxonomy_version"] != TAXONOMY_VERSION:
        raise PartsError(
            f"batch {batch} was planned for taxonomy {manifest['taxonomy_version']} but this worker runs "
            f"{TAXONOMY_VERSION}: deploy the same jobtrends version on every worker"
        )
    expected = {s["slice"]: s["rows"] for s in manifest["slices"]}
    if slice_name not in expected:
        raise PartsError(f"batch {batch} has no {slice_name}")
    fs, root = _store(settings)
    table = _read_parquet(fs, f"{root}/{batch}/input/{slice_name}.parquet")
    if table.num_rows != expected[slice_name]:
        raise PartsError(
            f"{batch}/{slice_name}: {table.num_rows} rows, the manifest says {expected[slice_name]}"
        )
    rates = manifest.get("fx") or {}
    fx.set_reference_table(fx.ecb_table(rates["rows"], rates["newest"]) if rates.get("rows") else None)
    errors = RuleErrors()
    # signed as in the one-process path: the part carries the signatures the build would make otherwise
    out = normalise_table(table, settings.workers, errors=errors, sign=DEFAULT_NUM_PERM)
    meta = {
        META_BATCH: batch.encode(),
        META_SLICE: slice_name.encode(),
        META_ROWS: str(out.num_rows).encode(),
        META_VERSION: TAXONOMY_VERSION.encode(),
        META_ERRORS: _errors_to_json(errors),
    }
    _write_parquet(fs, f"{root}/{batch}/parts/{slice_name}.parquet", out.replace_schema_metadata(meta))
    return {
        "batch": batch,
        "slice": slice_name,
        "normalised": out.num_rows,
        "rule_errors": dict(sorted(errors.counts.items())),
        "seconds": round(time.perf_counter() - started, 2),
    }


# ----------------------------------------------------------------------------- 3. merge (the writer)


def _parts(settings: Settings, manifest: dict[str, Any]) -> Iterator[tuple[str, pa.Table, Any]]:
    """Every part of the batch, checked against the manifest: ``(slice, rows without metadata, errors)``."""
    fs, root = _store(settings)
    batch = manifest["batch"]
    missing = [
        s["slice"] for s in manifest["slices"] if not fs.exists(f"{root}/{batch}/parts/{s['slice']}.parquet")
    ]
    if missing:
        raise PartsError(f"batch {batch}: no part yet for {len(missing)} slice(s): {', '.join(missing[:5])}")
    for s in manifest["slices"]:
        table = _read_parquet(fs, f"{root}/{batch}/parts/{s['slice']}.parquet")
        meta = table.schema.metadata or {}
        rows = int(meta.get(META_ROWS, b"-1"))
        same_slice = (meta.get(META_BATCH), meta.get(META_SLICE)) == (batch.encode(), s["slice"].encode())
        if not same_slice or rows != s["rows"] or table.num_rows != s["rows"]:
            raise PartsError(f"batch {batch}: the part of {s['slice']} does not match the manifest")
        yield s["slice"], table.replace_schema_metadata(None), _errors_from_json(meta.get(META_ERRORS))


def merge(settings: Settings, batch: str) -> dict[str, Any]:
    """Merge every part of ``batch`` into ``normalised.postings`` and ``ops.normalise_errors`` (the
    DuckDB writer; idempotent), then delete the batch's slices and parts, keeping its summary
    (``merged.json``): merging a batch again returns that summary and changes nothing."""
    from ingest.rule_errors import RuleErrors
    from jobtrends import pipeline, warehouse
    from transform import fx
    from transform.batch import skill_dictionary, split_signatures
    from transform.dedup import DEFAULT_NUM_PERM

    started = time.perf_counter()
    fs, root = _store(settings)
    done = f"{root}/{_check_batch(batch)}/{MERGED}"
    if fs.exists(done):
        with fs.open(done, "rb") as f:
            return {**json.loads(f.read()), "already_merged": True}
    manifest = read_manifest(settings, batch)
    errors = RuleErrors()
    added = 0

    def write(con: Any) -> None:
        nonlocal added
        warehouse.upsert_arrow(con, "normalised.skill_dictionary", skill_dictionary())
        for _, table, part_errors in _parts(settings, manifest):
            postings, signatures = split_signatures(table)  # a part from an older worker has none
            added += warehouse.insert_new_normalised(con, postings)
            if signatures is not None:
                warehouse.store_signatures(
                    con, signatures, num_perm=DEFAULT_NUM_PERM, posting_keys=postings["posting_key"]
                )
            errors.merge(part_errors)
        warehouse.replace_normalise_errors(con, batch, errors)

    with pipeline.writing(settings), warehouse.connect(settings.warehouse_path) as con:
        warehouse.set_memory_limit(con, settings.normalise_memory_limit)
        warehouse.ensure_schema(con, settings.sql_dir)
        warehouse.in_transaction(con, write)
    rates = manifest.get("fx") or {}
    summary = {
        "batch": batch,
        "slices": len(manifest["slices"]),
        "normalised": added,
        "taxonomy_version": manifest["taxonomy_version"],
        "fx_table": f"ecb:{rates['newest']}" if rates.get("rows") else fx.bundled_table().label,
        "rule_errors": dict(sorted(errors.counts.items())),
    }
    body = json.dumps(summary).encode()
    _write_atomic(fs, done, lambda f: f.write(body))
    for sub in ("input", "parts"):
        if fs.exists(f"{root}/{batch}/{sub}"):
            fs.rm(f"{root}/{batch}/{sub}", recursive=True)
    fs.rm(f"{root}/{batch}/{MANIFEST}")
    return {**summary, "seconds": round(time.perf_counter() - started, 2)}
