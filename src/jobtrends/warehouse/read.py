"""Reading: the read-only sandbox of ``jobtrends query``, table fingerprints and small query helpers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobtrends.warehouse.connection import WarehouseError, WarehouseOpenInProcessError, connect

# ----------------------------------------------------------------------------- reading


#: Statement types ``jobtrends query`` runs (DuckDB's own parser decides; ``SELECT`` includes ``WITH``,
#: ``FROM``-first, ``VALUES``, ``DESCRIBE``, ``SHOW`` and ``SUMMARIZE``).
READ_STATEMENT_TYPES = frozenset({"SELECT"})


def assert_read_only(sql: str) -> None:
    """Refuse anything but one read statement, as DuckDB's parser sees it: comments, string literals
    holding ``;`` or ``--`` and odd spacing cannot hide a statement. Runtime limits (:data:`SANDBOX_CONFIG`)
    are the second line of defence."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot parse the SQL: {_first_line(exc)}") from None
    if not statements:
        raise WarehouseError("no SQL statement given")
    if len(statements) > 1:
        raise WarehouseError(f"one statement at a time, got {len(statements)}")
    kind = statements[0].type.name
    if kind not in READ_STATEMENT_TYPES:
        raise WarehouseError(
            f"refusing a {kind} statement: only read statements run here (SELECT, WITH ... SELECT, "
            "DESCRIBE, SHOW), nothing that writes or reaches outside the warehouse"
        )


def _first_line(exc: BaseException) -> str:
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)


def query(path: Path, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
    """Run one read statement in the sandbox (read-only, no file or network access); return column
    names and rows."""
    assert_read_only(sql)
    try:
        return _run_read(path, sql, params, sandbox=True)
    except WarehouseOpenInProcessError:
        # a library caller that holds the file open already (DuckDB keeps one configuration per file and
        # process): the parser check above still holds; `jobtrends query` always opens it afresh
        return _run_read(path, sql, params, sandbox=False)


def _run_read(
    path: Path, sql: str, params: Sequence[Any] | None, *, sandbox: bool
) -> tuple[list[str], list[tuple]]:
    with connect(path, read_only=True, sandbox=sandbox) as con:
        try:
            cur = con.execute(sql, params) if params else con.execute(sql)
            columns = [d[0] for d in cur.description] if cur.description else []
            return columns, cur.fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(_first_line(exc)) from exc


def table_fingerprint(
    con: duckdb.DuckDBPyConnection, table: str, exclude: Sequence[str] = ()
) -> tuple[int, str]:
    """Row count and an order-independent content hash of a table (without the ``exclude`` columns,
    e.g. the time a row was written)."""
    rows = f"(select * exclude ({', '.join(exclude)}) from {table})" if exclude else table
    ((count, digest),) = con.execute(
        f"select count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar from {rows} as t"
    ).fetchall()
    return int(count), str(digest)


def arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """A query's result as an Arrow table."""
    return con.sql(sql).to_arrow_table()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
    """First value of a query's first row (fetching everything: DuckDB 2.0 keeps partly fetched
    results open and then refuses other work on the connection)."""
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(scalar(con, f"select count(*) from {table}") or 0)
