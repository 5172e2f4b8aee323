"""Normaliser I/O: raw rows still to normalise, rule errors and the reference FX rates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobtrends.warehouse.connection import insert_arrow, registered, upsert_arrow
from jobtrends.warehouse.read import scalar

# ----------------------------------------------------------------------------- normaliser I/O

NORMALISER_INPUT = (
    "posting_key",
    "content_hash",
    "title",
    "company",
    "description",
    "location_text",
    "country",
    "remote",
    "work_mode",
    "pay_min",
    "pay_max",
    "pay_currency",
    "pay_period",
    "pay_text",
    "pay_is_estimate",
    "posted_at",
)


def _unnormalised_sql(columns: str) -> str:
    return f"""
        select {columns} from raw.postings as r
        where not exists (
            select 1 from normalised.postings as n
            where n.posting_key = r.posting_key and n.content_hash = r.content_hash
              and n.taxonomy_version = $version
        )
    """


@dataclass(frozen=True, slots=True)
class Unnormalised:
    """How many raw rows are still to normalise and the span of their rowids (None when none)."""

    rows: int
    first_rowid: int | None
    last_rowid: int | None


def find_unnormalised(con: duckdb.DuckDBPyConnection, taxonomy_version: str) -> Unnormalised:
    """The raw rows still to normalise, found on the key columns alone (a narrow scan: at 1M rows
    0.3 s where the same anti-join reading every input column took 3.8 s, descriptions included)."""
    row = con.execute(
        f"select count(*), min(r.rowid), max(r.rowid) from ({_unnormalised_sql('r.rowid')}) as r",
        {"version": taxonomy_version},
    ).fetchone()
    rows, first, last = row if row else (0, None, None)
    return Unnormalised(
        int(rows or 0), None if first is None else int(first), None if last is None else int(last)
    )


def count_unnormalised(con: duckdb.DuckDBPyConnection, taxonomy_version: str) -> int:
    return find_unnormalised(con, taxonomy_version).rows


#: DuckDB's row group size: appends in whole row groups avoid rewriting a partial group on the next
#: append (measured: 40% less CPU to insert normalised rows in 122,880-row chunks than in 131,072).
ROW_GROUP_ROWS = 122_880


def iter_unnormalised(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    chunk_rows: int,
    found: Unnormalised | None = None,
) -> Iterator[pa.Table]:
    """Raw rows still to normalise, streamed as Arrow tables of ``chunk_rows`` rows (the last may be shorter).

    Reads through a second cursor so the caller can insert results on ``con`` between chunks
    (the reader keeps its snapshot from before those inserts). No ORDER BY: rows are normalised
    independently, and sorting ~3 KB descriptions costs GBs of memory.

    ``found`` (:func:`find_unnormalised` on this connection, raw unchanged since; found here when None)
    bounds the scan to the ``rowid`` span of those rows: the same rows, but only the row groups holding
    them are read (new rows are appended, so a nightly increment reads its own row groups, not 1M
    descriptions).
    """
    # the streams' chunks, each held whole; batches as large as DuckDB's (the fan-out's slices are big)
    for chunk in iter_unnormalised_streams(con, taxonomy_version, chunk_rows, found, min(chunk_rows, 65_536)):
        yield pa.Table.from_batches(list(chunk))


def _span_sql(taxonomy_version: str, found: Unnormalised) -> str:
    cols = ", ".join(f"r.{c}" for c in NORMALISER_INPUT)
    version = taxonomy_version.replace("'", "''")
    sql = _unnormalised_sql(cols).replace("$version", f"'{version}'")
    return sql + f" and r.rowid between {int(found.first_rowid or 0)} and {int(found.last_rowid or 0)}"


#: Rows per Arrow batch of :func:`iter_unnormalised_streams`: DuckDB builds batches of ~3 KB descriptions
#: in about half the CPU at 4,096 rows as at 65,536 when each is dropped before the next (its memory is
#: reused instead of freshly faulted in); 122,880 = 30 x 4,096.
STREAM_BATCH_ROWS = 4_096


def iter_unnormalised_streams(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    chunk_rows: int,
    found: Unnormalised | None = None,
    batch_rows: int = STREAM_BATCH_ROWS,
) -> Iterator[Iterator[pa.RecordBatch]]:
    """:func:`iter_unnormalised` without holding a chunk: each chunk is an iterator of small Arrow
    batches (``chunk_rows`` rows in all, the last chunk may be shorter) read from DuckDB as it is
    consumed, so a consumer that writes them out one by one never holds a chunk of descriptions.

    Consume each chunk fully before asking for the next (they share one DuckDB stream)."""
    found = found if found is not None else find_unnormalised(con, taxonomy_version)
    if not found.rows or found.first_rowid is None or found.last_rowid is None:
        return
    cursor = con.cursor()
    try:
        reader = cursor.sql(_span_sql(taxonomy_version, found)).to_arrow_reader(batch_rows)
        carry: list[pa.RecordBatch] = []  # the batch (part) that opens the next chunk

        def pull() -> bool:
            while not carry:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return False
                if batch.num_rows:
                    carry.append(batch)
            return True

        def chunk() -> Iterator[pa.RecordBatch]:
            rows = 0
            while rows < chunk_rows and pull():
                batch = carry.pop()
                if rows + batch.num_rows > chunk_rows:  # exact sizes: see ROW_GROUP_ROWS
                    carry.append(batch.slice(chunk_rows - rows))
                    batch = batch.slice(0, chunk_rows - rows)
                rows += batch.num_rows
                yield batch

        while pull():
            yield chunk()
    finally:
        cursor.close()


# ----------------------------------------------------------------------------- normaliser rule errors


def insert_normalise_errors(con: duckdb.DuckDBPyConnection, run_id: str, errors: Any) -> int:
    """One ``ops.normalise_errors`` row per rule that raised during a normalise run (a
    :class:`ingest.rule_errors.RuleErrors`); nothing when there were none."""
    rules = sorted(errors.counts)
    if not rules:
        return 0
    examples = [errors.examples.get(r, (None, None)) for r in rules]
    data = pa.table(
        {
            "run_id": pa.array([run_id] * len(rules), pa.string()),
            "rule": pa.array(rules, pa.string()),
            "count": pa.array([int(errors.counts[r]) for r in rules], pa.int64()),
            "example": pa.array([e[0] for e in examples], pa.string()),
            "error": pa.array([e[1] for e in examples], pa.string()),
        }
    )
    return insert_arrow(con, "ops.normalise_errors", data)


def replace_normalise_errors(con: duckdb.DuckDBPyConnection, run_id: str, errors: Any) -> int:
    """:func:`insert_normalise_errors` after deleting ``run_id``'s rows: a merge that runs again
    records its counts once."""
    con.execute("delete from ops.normalise_errors where run_id = ?", [run_id])
    return insert_normalise_errors(con, run_id, errors)


def insert_new_normalised(con: duckdb.DuckDBPyConnection, data: pa.Table) -> int:
    """Append the rows of ``data`` (``normalised.postings`` columns) whose (posting_key, content_hash,
    taxonomy_version) the table does not hold yet; returns the rows added. Merging the same
    normalised parts twice therefore adds them once."""
    if data.num_rows == 0:
        return 0
    with registered(con, _jt_incoming=data):
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        ((added,),) = con.execute(
            f"""insert into normalised.postings ({cols}) select {cols} from _jt_incoming as i
            where not exists (
                select 1 from normalised.postings as n
                where n.posting_key = i.posting_key and n.content_hash = i.content_hash
                  and n.taxonomy_version = i.taxonomy_version
            )"""
        ).fetchall()
    return int(added)


#: ``normalised.dedup_signatures`` rows as :func:`store_signatures` takes them (``num_perm`` aside).
SIGNATURE_ROWS = pa.schema(
    [
        ("posting_key", pa.string()),
        ("content_hash", pa.string()),
        ("text_hash", pa.uint64()),
        ("words", pa.int32()),
        ("signature", pa.list_(pa.uint32())),
    ]
)


def store_signatures(
    con: duckdb.DuckDBPyConnection,
    rows: pa.Table | pa.RecordBatchReader,
    *,
    num_perm: int,
    posting_keys: pa.Array | pa.ChunkedArray,
) -> None:
    """Store MinHash signatures (``rows``: posting_key, content_hash, text_hash, words, signature) in
    ``normalised.dedup_signatures`` after dropping every stored signature of ``posting_keys`` (a
    posting's older versions are never read again). ``rows`` may be a stream made on demand."""
    with registered(con, _jt_signed=pa.table({"posting_key": posting_keys})):
        con.execute(
            "delete from normalised.dedup_signatures where posting_key in (select posting_key from _jt_signed)"
        )
    with registered(con, _jt_signatures=rows):
        con.execute(
            "insert into normalised.dedup_signatures "
            "(posting_key, content_hash, num_perm, text_hash, words, signature) "
            f"select posting_key, content_hash, {int(num_perm)}, text_hash, words, signature "
            "from _jt_signatures"
        )


# ----------------------------------------------------------------------------- reference FX rates


def upsert_fx_rates(
    con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[str, str, float]], *, source: str, landing_file: str
) -> int:
    """Insert ``(date, currency, units_per_eur)`` rows into ``ref.fx_rates``, replacing the same days."""
    if not rows:
        return 0
    days, currencies, values = zip(*rows, strict=True)
    data = pa.table(
        {
            "rate_date": pa.array([date.fromisoformat(d) for d in days], pa.date32()),
            "currency": pa.array(currencies, pa.string()),
            "units_per_eur": pa.array(values, pa.float64()),
            "source": pa.array([source] * len(rows), pa.string()),
            "landing_file": pa.array([landing_file] * len(rows), pa.string()),
        }
    )
    return upsert_arrow(con, "ref.fx_rates", data)


def fx_monthly_usd(
    con: duckdb.DuckDBPyConnection, sql_dir: Path
) -> tuple[list[tuple[str, str, float]], str | None]:
    """Monthly units-per-USD averages of ``ref.fx_rates`` (``sql/fx/monthly_usd.sql``) and the newest
    rate date; ``([], None)`` when the table is empty or missing."""
    exists = scalar(
        con,
        "select count(*) from information_schema.tables where table_schema = 'ref' and table_name = 'fx_rates'",
    )
    if not exists:
        return [], None
    newest = scalar(con, "select max(rate_date) from ref.fx_rates")
    if newest is None:
        return [], None
    rows = con.execute((Path(sql_dir) / "fx" / "monthly_usd.sql").read_text()).fetchall()
    return [(str(m), str(c), float(v)) for m, c, v in rows], newest.isoformat()


def fx_rates_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Rows, currencies and date range of ``ref.fx_rates``."""
    rows, currencies, first, last = con.execute(
        "select count(*), count(distinct currency), min(rate_date), max(rate_date) from ref.fx_rates"
    ).fetchone() or (0, 0, None, None)  # count(*) always gives one row
    return {
        "rows": int(rows),
        "currencies": int(currencies),
        "first_date": first.isoformat() if first else None,
        "newest_date": last.isoformat() if last else None,
    }
