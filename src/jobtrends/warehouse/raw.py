"""Raw I/O: the raw posting columns, the one content hash, the landing ledger, raw batches, quarantine and run records."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from operator import methodcaller
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jobtrends.warehouse.connection import insert_arrow, registered, then_execute
from jobtrends.warehouse.posting_schema import raw_posting_types
from jobtrends.warehouse.read import _count

# ----------------------------------------------------------------------------- loader helpers

RAW_POSTING_TYPES: dict[str, str] = raw_posting_types()
_CONTENT_FIELDS = [c for c in RAW_POSTING_TYPES if c not in {"raw_ref", "fetched_at"}]
#: Version tag at the start of the canonical serialisation: a new definition gets a new tag.
CONTENT_HASH_VERSION = "jt1"


def _field_text(column: str, sql_type: str) -> str:
    """The canonical text of one typed column (NULL stays NULL)."""
    if sql_type == "boolean":
        return f"{column}::varchar"  # 'true' | 'false'
    if sql_type == "double":
        return f"printf('%.17g', {column})"  # round-trips every double; Python's '%.17g' % x agrees
    if sql_type == "timestamptz":
        return f"epoch_us({column})::varchar"  # the instant, whatever offset the source wrote
    if sql_type == "json":
        return f"json({column})::varchar"  # minified: whitespace in the stored text does not count
    return column


def content_text_sql(alias: str = "") -> str:
    """The canonical serialisation :func:`content_hash_sql` hashes (a ``varchar`` expression, never NULL)."""
    prefix = f"{alias}." if alias else ""
    parts = []
    for field in _CONTENT_FIELDS:
        text = _field_text(f'{prefix}"{field}"', RAW_POSTING_TYPES[field])
        parts.append(f"coalesce(strlen({text})::varchar || ':' || {text}, '-')")
    return f"concat('{CONTENT_HASH_VERSION}|', {', '.join(parts)})"


def content_hash_sql(alias: str = "") -> str:
    """The one definition of ``content_hash``: the first 32 hex digits of the SHA-256 of a canonical
    serialisation of a posting's content columns (``raw_ref`` and ``fetched_at`` are fetch bookkeeping).

    Every field in a fixed order as ``<UTF-8 byte length>:<text>`` or ``-`` for NULL (a prefix code: no two
    rows share a serialisation), over the *typed values as stored*, so both load paths (Python parsers and
    the native dump load) and any later re-check give the same hash for the same row. SHA-256, not DuckDB's
    ``hash()``, which may change between DuckDB versions. This is plain SQL (any connection); the loads
    compute the same digests faster with :func:`fast_content_hash_sql`.
    """
    return f"left(sha256({content_text_sql(alias)}), 32)"


#: The Arrow UDF :func:`register_content_hash` adds: ``left(sha256(text), 32)`` through Python's hashlib.
CONTENT_HASH_FUNCTION = "jt_content_hash"


def fast_content_hash_sql(alias: str = "") -> str:
    """:func:`content_hash_sql` through :data:`CONTENT_HASH_FUNCTION` (the same digests; needs
    :func:`register_content_hash` on the connection). DuckDB's ``sha256`` is portable C without the
    CPU's SHA instructions; hashlib's (OpenSSL) uses them: the 1M-posting load hashed ~3 GB of text with
    DuckDB's at about a third of the load's time."""
    return f"{CONTENT_HASH_FUNCTION}({content_text_sql(alias)})"


def register_content_hash(con: duckdb.DuckDBPyConnection) -> None:
    """Make :data:`CONTENT_HASH_FUNCTION` available on ``con`` (a no-op when it is already there)."""
    from duckdb.func import FunctionNullHandling, PythonUDFType
    from duckdb.sqltypes import VARCHAR

    present = con.execute(
        "select count(*) from duckdb_functions() where function_name = ?", [CONTENT_HASH_FUNCTION]
    ).fetchall()
    if not present[0][0]:
        con.create_function(
            CONTENT_HASH_FUNCTION,
            sha256_prefixes,
            [VARCHAR],
            VARCHAR,
            type=PythonUDFType.ARROW,
            null_handling=FunctionNullHandling.SPECIAL,
        )


def sha256_prefixes(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The first 32 hex digits of the SHA-256 of each UTF-8 string (NULL stays NULL), as DuckDB's
    ``left(sha256(x), 32)``. Hashes the Arrow buffer in place, and the per-row loop runs in C (``map``),
    so the cost is SHA-256 itself; hashlib releases the GIL on long inputs, so DuckDB's threads overlap."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.large_string())
    n = len(texts)
    if n == 0:
        return pa.array([], pa.string())
    width = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(texts.buffers()[1], dtype=width)[texts.offset : texts.offset + n + 1].tolist()
    data = memoryview(texts.buffers()[2] or b"")
    pieces = map(data.__getitem__, map(slice, offsets[:-1], offsets[1:]))
    digests = b"".join(map(methodcaller("digest"), map(hashlib.sha256, pieces)))
    hexed = np.frombuffer(digests, dtype=np.uint8).reshape(n, 32)[:, :16].tobytes().hex().encode()
    out = pa.Array.from_buffers(
        pa.string(),
        n,
        [None, pa.py_buffer(np.arange(0, 32 * n + 1, 32, dtype=np.int32)), pa.py_buffer(hexed)],
    )
    if texts.null_count:
        out = pc.if_else(texts.is_valid(), out, pa.scalar(None, pa.string()))
    return out


def landing_key(path: str) -> str:
    """The landing-relative form of a landing file path (``<source>/dt=<date>/<name>``), whatever folder
    the landing zone lived in: the layout is fixed, so the last three parts name the file."""
    return "/".join(str(path).replace("\\", "/").split("/")[-3:])


def loaded_landing_files(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """The loader's ledger: ``(landing-relative path, sha256)`` of every landing file loaded."""
    rows = con.execute(
        "select coalesce(landing_path, landing_file), sha256 from ops.landing_files"
    ).fetchall()
    return {(landing_key(path), sha) for path, sha in rows}


def loaded_run_records(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Run records already in ``ops.source_runs``, as ``_runs/dt=<date>/<name>`` (older rows hold
    absolute paths: compared by their landing-relative tail, so a moved data folder reloads none)."""
    return {landing_key(r[0]) for r in con.execute("select record_file from ops.source_runs").fetchall()}


def insert_raw_batch(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    """Hash (:func:`content_hash_sql`, computed by :func:`fast_content_hash_sql`) a batch of parsed postings, append the versions not already present
    (same source, id and content hash) to ``raw.postings`` and every row to ``raw.sightings``; return how
    many versions were new. ``table`` has the ``raw.postings`` columns but ``content_hash``."""
    if table.num_rows == 0:
        return 0
    register_content_hash(con)
    with registered(con, _jt_postings=table):
        con.execute(
            f"create or replace temp table _jt_hashed as select *, {fast_content_hash_sql()} as content_hash, "
            "strlen(description) as description_bytes from _jt_postings"
        )
    with then_execute(con, "drop table if exists _jt_hashed"):
        cols = ", ".join(f'"{c}"' for c in [*table.column_names, "content_hash", "description_bytes"])
        before = _count(con, "raw.postings")
        con.execute(
            f"""
            insert into raw.postings ({cols})
            select {cols} from (
                select *, row_number() over (partition by source, source_id, content_hash) as _n
                from _jt_hashed
            ) as incoming
            where _n = 1 and not exists (
                select 1 from raw.postings as p
                where p.source = incoming.source and p.source_id = incoming.source_id
                  and p.content_hash = incoming.content_hash
            )
            """
        )
        new = _count(con, "raw.postings") - before
        con.execute(
            "insert into raw.sightings (source, source_id, board, content_hash, seen_at, run_date, landing_file) "
            "select source, source_id, board, content_hash, fetched_at, run_date, landing_file from _jt_hashed"
        )
        return new


QUARANTINE_COLUMNS = (
    "run_id",
    "stage",
    "source",
    "landing_file",
    "pointer",
    "posting_key",
    "check_name",
    "reason",
    "record",
)


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> int:
    """Keep records that could not be used, with the reason (nothing is dropped silently)."""
    if not rows:
        return 0
    data = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in QUARANTINE_COLUMNS})
    return insert_arrow(con, "ops.quarantine", data)


def record_landing_file(
    con: duckdb.DuckDBPyConnection,
    landing_file: str,
    sha256: str,
    source: str,
    run_date: str,
    postings: int,
    errors: int,
    status: str,
    note: str | None,
) -> None:
    con.execute(
        "insert or replace into ops.landing_files "
        "(landing_file, landing_path, sha256, source, run_date, postings, errors, status, note)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [landing_file, landing_key(landing_file), sha256, source, run_date, postings, errors, status, note],
    )


def record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    command: str,
    run_date: date | None,
    started_at: datetime,
    status: str,
    summary: dict[str, Any],
) -> None:
    """One row per pipeline run in ``ops.runs`` (provenance lives here, not in the marts)."""
    import json

    con.execute(
        "insert or replace into ops.runs values (?, ?, ?, ?, current_timestamp, ?, ?)",
        [run_id, command, run_date, started_at, status, json.dumps(summary, default=str)],
    )


def insert_source_runs(con: duckdb.DuckDBPyConnection, records: Sequence[dict[str, Any]]) -> int:
    """Append fetch run records (the runner's JSON files) to ``ops.source_runs``."""
    if not records:
        return 0
    ts = pa.timestamp("us", tz="UTC")
    data = pa.table(
        {
            "run_id": pa.array(
                [r.get("run_id") or Path(r["record_file"]).stem for r in records], pa.string()
            ),
            "source_name": pa.array([r.get("source_name") for r in records], pa.string()),
            "kind": pa.array([r.get("kind") for r in records], pa.string()),
            "board": pa.array([r.get("board") for r in records], pa.string()),
            "started_at": pa.array([_ts(r.get("started_at")) for r in records], ts),
            "finished_at": pa.array([_ts(r.get("finished_at")) for r in records], ts),
            "status": pa.array([r.get("status") for r in records], pa.string()),
            "http_status": pa.array([r.get("http_status") for r in records], pa.int32()),
            "postings_seen": pa.array([r.get("postings_seen") for r in records], pa.int32()),
            "error": pa.array([r.get("error") for r in records], pa.string()),
            "flagged": pa.array([bool(r.get("flagged")) for r in records], pa.bool_()),
            "landing_files": pa.array(
                [[str(x) for x in r.get("landing_files") or []] for r in records], pa.list_(pa.string())
            ),
            "record_file": pa.array([r["record_file"] for r in records], pa.string()),
        }
    )
    return insert_arrow(con, "ops.source_runs", data)


def _ts(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
