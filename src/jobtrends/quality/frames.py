"""The validation frames of each layer (raw, normalised, drift, marts and the claims re-run), built in DuckDB."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobtrends import warehouse
from jobtrends.quality.outcomes import STAGE, BatchInfo, ExpectationOutcome, _Job
from jobtrends.quality.suites import load_expectations
from jobtrends.settings import Settings

# ----------------------------------------------------------------------------- frames per layer


def _arrow(con: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pa.Table:
    # a relation's Arrow output skips the extra copy of the rows that a DB-API result makes (~30% of the
    # time of a 1M-row frame)
    return con.sql(sql, params=params).to_arrow_table()


def _rows(con: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple]:
    cur = con.execute(sql, params) if params is not None else con.execute(sql)
    return cur.fetchall()


def _row_level_jobs(con: Any, settings: Settings, layer: str, now: datetime, incremental: bool) -> list[_Job]:
    module = load_expectations(settings, layer)
    params: dict[str, Any] = {}
    if layer == "normalised":
        params["max_posted_at"] = now + timedelta(days=1)
    suite_hash = _suite_hash(settings, layer)
    since = _last_accepted(con, layer, suite_hash) if incremental else None
    batch = BatchInfo(layer=layer, full=since is None, since=since, suite_hash=suite_hash)
    where = None if since is None else _batch_where(module, layer, since)
    frame = _arrow(con, module.frame_sql(where) if where is not None else module.FRAME_SQL)
    added = frame.column("_added_at")
    if since is None:
        batch.new_rows = frame.num_rows
    else:
        batch.new_rows = int(pc.sum(pc.greater(added, pa.scalar(since, added.type))).as_py() or 0)
    batch.rechecked_rows = frame.num_rows - batch.new_rows
    newest = _max_timestamp(added)
    batch.validated_through = max(filter(None, (newest, since)), default=None)
    batch.table_rows = int(_rows(con, f"select count(*) from {module.TABLE}")[0][0])
    # built after the frame: building the suite waits for GX, which preload() may still be importing
    suite = module.build_suite(min_base=settings.min_base)
    return [_Job(suite=suite, frame=frame, parameters=params, quarantine=module, batch=batch)]


#: Table and added-at column of each row-level layer (its expectations module's TABLE and ADDED_AT; a test
#: checks): enough to see that there is nothing to validate without importing Great Expectations.
BATCH_SOURCES: dict[str, tuple[str, str]] = {
    "raw": ("raw.postings", "loaded_at"),
    "normalised": ("normalised.postings", "normalised_at"),
}


def _nothing_to_validate(con: Any, settings: Settings, layer: str) -> BatchInfo | None:
    """The (empty) batch of an incremental validation that has no row to look at: nothing added since the
    last accepted batch (judged by the same suite) and no row of the layer in quarantine. Then the suite
    would run on an empty frame; this finds it with two narrow queries instead (no Great Expectations
    import, no worker pool, no Data Docs). None when there is something to validate."""
    table, added_at = BATCH_SOURCES[layer]
    suite_hash = _suite_hash(settings, layer)
    since = _last_accepted(con, layer, suite_hash)
    if since is None:
        return None
    newest, rows = _rows(con, f"select max({added_at}), count(*) from {table}")[0]
    if newest is not None and newest > since:
        return None
    in_quarantine = _rows(
        con,
        f"select count(*) from ops.quarantine where stage = '{STAGE}' and layer = ? and released_at is null",
        [layer],
    )[0][0]
    if in_quarantine:
        return None
    return BatchInfo(
        layer=layer,
        full=False,
        since=since,
        suite_hash=suite_hash,
        validated_through=since,
        table_rows=int(rows),
    )


def _max_timestamp(column: Any) -> datetime | None:
    return pc.max(column).as_py() if len(column) else None


def _suite_hash(settings: Settings, layer: str) -> str:
    """The suite a batch was judged by: its module's source, the shared helpers and the parameters.

    A changed suite (a new or stricter check) makes the next run validate the whole layer again.
    """
    directory = Path(settings.expectations_dir)
    digest = hashlib.sha256()
    for name in ("__init__.py", f"{layer}.py"):
        path = directory / name
        digest.update(path.read_bytes() if path.exists() else b"")
    digest.update(f"min_base={settings.min_base}".encode())
    return digest.hexdigest()[:16]


def _last_accepted(con: Any, layer: str, suite_hash: str) -> datetime | None:
    """Where the last accepted batch of ``layer`` ended; None (validate everything) when there is none,
    or when it was judged by another suite."""
    rows = _rows(
        con,
        "select validated_through, suite_hash from ops.validation_batches where layer = ? "
        "order by accepted_at desc limit 1",
        [layer],
    )
    if not rows or rows[0][1] != suite_hash or rows[0][0] is None:
        return None
    return rows[0][0]


def _batch_where(module: ModuleType, layer: str, since: datetime) -> str:
    """Rows of the frame in an incremental validation (on the frame's table alias): those sharing a key
    with a row added after ``since`` (the new rows and any duplicate of theirs) and those in quarantine.

    The rows are picked by ``rowid`` from a scan of the key columns alone: DuckDB then reads the frame's
    other columns (the raw descriptions, ~3 KB a row) only in the row groups holding a picked row,
    instead of reading them for every row of the table and filtering afterwards."""
    alias = "r" if layer == "raw" else "n"
    cols = ", ".join(module.ROW_KEY)
    stamp = since.isoformat()
    return f"""{alias}.rowid in (
        select rowid from {module.TABLE}
        where ({cols}) in (select {cols} from {module.TABLE} where {module.ADDED_AT} > timestamptz '{stamp}')
           or ({cols}) in (
                select {cols} from ops.quarantine
                where stage = '{STAGE}' and layer = '{layer}' and released_at is null
           )
    )"""


def _drift_jobs(con: Any, settings: Settings, now: datetime, sources: Sequence[str] | None) -> list[_Job]:
    m = load_expectations(settings, "drift")
    volume = _arrow(con, m.VOLUME_SQL, {"window": m.TRAILING_WINDOW, "min_history": m.MIN_HISTORY})
    rates = _arrow(con, m.RATES_SQL, {"min_base": settings.min_base})
    fresh = _arrow(con, m.FRESHNESS_SQL, {"now": now, "sources": list(sources or [])})
    return [
        _Job(suite=m.build_volume_suite(), frame=volume),
        _Job(suite=m.build_rates_suite(), frame=rates),
        _Job(
            suite=m.build_freshness_suite(max_days=settings.freshness_days),
            frame=fresh,
        ),
    ]


def _mart_tables(con: Any, schema: str) -> dict[str, dict[str, str]]:
    rows = _rows(
        con,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    )
    tables: dict[str, dict[str, str]] = {}
    for table, column, dtype in rows:
        tables.setdefault(table, {})[column] = str(dtype)
    return tables


def _marts_jobs(
    con: Any, settings: Settings, schema: str, names: Sequence[str] | None, claims_on_connection: bool = False
) -> tuple[list[_Job], list[ExpectationOutcome]]:
    m = load_expectations(settings, "marts")
    tables = _mart_tables(con, schema)
    missing: list[ExpectationOutcome] = []
    if names is not None:
        for name in names:
            if name not in tables:
                missing.append(
                    ExpectationOutcome(
                        suite=m.SUITE_PREFIX + name,
                        expectation="mart_exists",
                        column=None,
                        success=False,
                        critical=True,
                        observed_value=f"no table {schema}.{name}",
                        reason=f"mart {name} was not built",
                    )
                )
        tables = {t: c for t, c in tables.items() if t in set(names)}
    jobs: list[_Job] = []
    specs = m.load_specs(Path(settings.sql_dir) / "marts")
    for table, column_types in tables.items():
        plan = m.plan(table, column_types, specs)
        params: dict[str, Any] = {}
        if plan.checks_gaps:
            params[f"expected_periods__{table}"] = [
                r[0] for r in _rows(con, m.expected_periods_sql(schema, plan))
            ]
        jobs.append(
            _Job(suite=m.build_suite(plan), frame=_arrow(con, m.frame_sql(schema, plan)), parameters=params)
        )
    # the claims re-run last: inside the build's transaction a claim whose SQL fails aborts the
    # transaction, and every later query on it fails too (the build is then rejected and rolled back)
    if m.CLAIMS_TABLE in tables:
        columns = list(tables[m.CLAIMS_TABLE])
        frame = _claims_frame(con, m, schema, columns, claims_on_connection)
        jobs.append(_Job(suite=m.build_claims_suite(), frame=frame))
    return jobs, missing


def _claims_frame(
    con: Any, m: ModuleType, schema: str, columns: list[str], on_connection: bool = False
) -> pa.Table:
    """Re-run every claim's SQL against ``schema`` (``marts.`` references rewritten) and compare."""
    id_col, value_col, sql_col = m.claims_columns(columns)
    ids: list[str] = []
    values: list[float | None] = []
    recomputed: list[float | None] = []
    ok: list[bool] = []
    errors: list[str | None] = []
    if value_col and sql_col:
        key = f'"{id_col}"::varchar' if id_col else "row_number() over ()::varchar"
        claims = _rows(con, f'select {key}, "{value_col}", "{sql_col}" from {schema}.{m.CLAIMS_TABLE}')
        reruns = _rerun_claims(con, [sql for _, _, sql in claims], schema, on_connection=on_connection)
        for (claim_id, value, _), (got, error) in zip(claims, reruns, strict=True):
            ids.append(str(claim_id))
            expected = _as_float(value)
            values.append(expected)
            recomputed.append(got)
            errors.append(error)
            ok.append(error is None and m.reproduces(expected, got))
    return pa.table(
        {
            "claim_id": pa.array(ids, pa.string()),
            "value": pa.array(values, pa.float64()),
            "reproduced_value": pa.array(recomputed, pa.float64()),
            "reproduces": pa.array(ok, pa.bool_()),
            "error": pa.array(errors, pa.string()),
        }
    )


def _rerun_claims(
    con: Any, sqls: Sequence[str | None], schema: str, *, on_connection: bool = False
) -> list[tuple[float | None, str | None]]:
    """``(value, error)`` of each claim's SQL run against ``schema``, in order. Two cursors share the
    queries: each is a millisecond of planning and Python, and DuckDB lets the other run meanwhile.
    ``on_connection``: run them on ``con`` itself, one after the other — a cursor is another connection,
    which cannot see the tables of ``con``'s open transaction (the marts build)."""

    def rerun(part: Sequence[str | None], own: bool = False) -> list[tuple[float | None, str | None]]:
        cursor = con if own else con.cursor()
        out: list[tuple[float | None, str | None]] = []
        try:
            for sql in part:
                try:
                    if not sql:
                        raise ValueError("claim has no sql")
                    rewritten = re.sub(r"\bmarts\.", f"{schema}.", str(sql))
                    warehouse.assert_read_only(rewritten)
                    # fetchall: DuckDB 2 keeps a half-read result open
                    rows = cursor.execute(rewritten).fetchall()
                    out.append((_as_float(rows[0][0]) if rows else None, None))
                except Exception as exc:  # a claim that cannot run is a failed claim, not a crash
                    out.append((None, f"{type(exc).__name__}: {exc}"[:500]))
        finally:
            if not own:
                cursor.close()
        return out

    if on_connection:
        return rerun(sqls, own=True)
    if len(sqls) < 2:
        return rerun(sqls)
    half = (len(sqls) + 1) // 2
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(rerun, [sqls[:half], sqls[half:]])
    return first + second


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out
