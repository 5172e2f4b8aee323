"""Loading file dumps straight through DuckDB's readers (the native dump load)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobtrends.warehouse.connection import bounded_memory, restart_transaction
from jobtrends.warehouse.raw import (
    RAW_POSTING_TYPES,
    fast_content_hash_sql,
    landing_key,
    record_landing_file,
    register_content_hash,
)
from jobtrends.warehouse.read import _count

_READERS = {
    "jsonl": "read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
    "ndjson": "read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
    "csv": "read_csv(?, header = true, all_varchar = true)",
    "parquet": "read_parquet(?)",
}


def load_file_dumps_native(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Path, Any]], *, memory_limit: str | None = None
) -> dict[str, int] | None:
    """Load file dumps that share one format and column mapping straight through DuckDB's readers.

    One streaming ``insert … select`` reads every file (DuckDB parallelises across them), applies
    the mapping and skips posting versions already loaded; rows without a title are then moved to
    the quarantine. Returns None when DuckDB cannot read every file (a truncated line, say): the
    caller then loads them through the Python parser, which keeps every good record.
    Sightings are recorded for the rows this load added (a dump row loaded before is not re-sighted).
    ``memory_limit`` bounds DuckDB's buffers for the load (restored afterwards).
    """
    with bounded_memory(con, memory_limit):
        return _load_dumps(con, files)


def _load_dumps(con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Path, Any]]) -> dict[str, int] | None:
    meta = files[0][1]
    options = meta.options or {}
    source_sql = _READERS[str(options["format"]).lower()].replace("?", "$files, filename = true", 1)
    paths = {landing_key(str(p)): str(p) for p, _ in files}  # landing-relative → absolute
    by_file = {landing_key(str(p)): m for p, m in files}
    params: dict[str, Any] = {"files": list(paths.values())}
    try:
        described = con.execute(f"describe select * from {source_sql}", params).fetchall()
    except duckdb.Error:
        restart_transaction(con)  # a file DuckDB cannot read aborts the transaction, as below
        return None
    present = {r[0] for r in described}
    if source_sql.startswith("read_json("):
        # the types just detected, given to the load's reader: it need not sample every file again
        # (each detection parses up to 20,480 rows per file: a fifth of the 1M-posting load)
        source_sql = source_sql.replace("filename = true", "filename = true, columns = $columns", 1)
        params["columns"] = {name: kind for name, kind, *_ in described if name != "filename"}
    mapped = _mapped_dump_sql(present, meta, source_sql)
    run_dates = pa.table(
        {
            "filename": list(paths.values()),
            "landing_file": list(by_file),
            "run_date": [date.fromisoformat(m.run_date) for m in by_file.values()],
        }
    )
    with contextlib.suppress(duckdb.Error):  # timestamps without an offset are UTC, as in the parsers
        con.execute("set TimeZone = 'UTC'")
    con.register("_jt_run_dates", run_dates)
    register_content_hash(con)
    cols = ", ".join(["posting_key", "content_hash", *RAW_POSTING_TYPES])
    in_files = "landing_file in (select landing_file from _jt_run_dates)"
    untitled = "title is null or trim(title) = ''"
    try:
        before = _count(con, "raw.postings")
        try:
            con.execute(
                f"""
                insert into raw.postings ({cols}, landing_file, run_date, description_bytes)
                select {", ".join("m." + c for c in cols.split(", ")).replace("m.raw_ref", "d.landing_file || m.raw_ref")},
                       d.landing_file, d.run_date, strlen(m.description)
                from ({mapped}) as m
                inner join _jt_run_dates as d on d.filename = m._filename
                where not exists (
                    select 1 from raw.postings as p
                    where p.posting_key = m.posting_key and p.content_hash = m.content_hash
                )
                """,
                params,
            )
        except duckdb.Error:
            # the transaction is aborted: start a clean one for the caller's fallback
            restart_transaction(con)
            return None
        # the same version twice within these files: keep the first
        con.execute(
            f"""
            delete from raw.postings where rowid in (
                select rowid from (
                    select rowid, row_number() over (partition by posting_key, content_hash order by raw_ref) as n
                    from raw.postings where {in_files}
                ) where n > 1
            )
            """
        )
        con.execute(
            f"""
            insert into ops.quarantine (stage, source, landing_file, pointer, check_name, reason, record)
            select 'load', source, landing_file, raw_ref, 'title_present', 'posting has no title',
                   left(to_json(p)::varchar, 20000)
            from raw.postings as p where {in_files} and ({untitled})
            """
        )
        con.execute(f"delete from raw.postings where {in_files} and ({untitled})")
        new = _count(con, "raw.postings") - before
        con.execute(
            f"""
            insert into raw.sightings
            select source, source_id, board, content_hash, fetched_at, run_date, landing_file
            from raw.postings where {in_files}
            """
        )
        counts = dict.fromkeys(by_file, (0, 0))
        for landing_file, good, bad in con.execute(
            f"""
            select landing_file, count(*) filter (where check_name is null), count(*) filter (where check_name is not null)
            from (
                select landing_file, null as check_name from raw.postings where {in_files}
                union all
                select landing_file, check_name from ops.quarantine where stage = 'load' and {in_files}
            ) group by all
            """
        ).fetchall():
            counts[landing_file] = (int(good), int(bad))
        for landing_file, (good, bad) in counts.items():
            m = by_file[landing_file]
            con.execute(
                "insert into raw.listings values (?, ?, ?, ?, false, ?, ?)",
                [m.source, m.board, m.fetched_at, m.run_date, good, landing_file],
            )
            status = "loaded" if good else ("failed" if bad else "empty")
            record_landing_file(con, landing_file, m.sha256, m.source, m.run_date, good, bad, status, None)
        return {
            "postings": sum(g for g, _ in counts.values()),
            "new_postings": new,
            "quarantined": sum(b for _, b in counts.values()),
        }
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister("_jt_run_dates")


def _mapped_dump_sql(present: set[str], meta: Any, source_sql: str) -> str:
    """``select`` of the canonical columns over the dump reader, applying the dump's column mapping."""
    options = meta.options or {}
    present = present - {"filename"}
    mapping = options.get("mapping")
    mapping = {} if mapping in (None, "identity") else dict(mapping)
    default_source = _literal(str(options.get("source_name") or meta.board or "file"))

    identity = options.get("mapping") in (None, "identity")

    def col(field: str) -> str:
        name = mapping.get(field, field)
        # a row names its own source only in an identity dump or through an explicit mapping
        if name in present and (field != "source" or identity or "source" in mapping):
            return f'try_cast(d."{name}" as {RAW_POSTING_TYPES[field]})'
        if field == "source":
            return default_source
        if field == "board" and meta.board:  # as the parsers do: the board the file was landed under
            return _literal(str(meta.board))
        return f"null::{RAW_POSTING_TYPES[field]}"

    exprs = {field: col(field) for field in RAW_POSTING_TYPES}
    posted = mapping.get("posted_at", "posted_at")
    if mapping.get("posted_at_precision", "posted_at_precision") not in present and posted in present:
        # as the Python parser states it: a bare date is day-precise, a timestamp second-precise
        exprs["posted_at_precision"] = (
            f"case when {exprs['posted_at']} is null then null "
            f"when regexp_full_match(trim(d.\"{posted}\"::varchar), '\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}') "
            "then 'day' else 'second' end"
        )
    if mapping.get("source_id", "source_id") in present:
        # a pointer by id keeps the read streaming (a row number would need a window over the files)
        exprs["raw_ref"] = f"'#id=' || {exprs['source_id']}"  # after the landing-relative path
        # a persisted id from the row's content without its file path: md5 is a fixed function (DuckDB's
        # hash() may change between versions), so the same row gets the same id in any warehouse
        row_json = "json_merge_patch(to_json(d), '{\"filename\": null}')"
        exprs["source_id"] = f"coalesce({exprs['source_id']}, 'row-' || left(md5({row_json}), 20))"
    else:
        exprs["raw_ref"] = "'#row=' || (row_number() over (partition by d.filename))::varchar"
        exprs["source_id"] = "'row-' || (row_number() over (partition by d.filename))::varchar"
    exprs["fetched_at"] = f"coalesce({exprs['fetched_at']}, {_literal(meta.fetched_at)}::timestamptz)"
    select = ",\n".join(f"{expr} as {field}" for field, expr in exprs.items())
    return f"""
        select *, source || ':' || source_id as posting_key, {fast_content_hash_sql()} as content_hash
        from (select {select}, d.filename as _filename from {source_sql} as d)
    """


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
