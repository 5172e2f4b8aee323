"""The one module that talks to DuckDB.

Everything else goes through :func:`connect` (or the helpers here); SQL lives in ``sql/``:

- ``sql/ddl/*.sql`` — tables the pipeline appends to (raw, ops, normalised), created if missing;
- ``sql/staging`` → ``sql/intermediate`` → ``sql/marts`` — one model per file, each a single
  ``select``; the file name is the table name and the folder the schema.

Marts are built into the ``marts_next`` schema and published into ``marts`` in one transaction,
so a reader sees either the previous marts or the new ones, never a half-built set.
"""

from __future__ import annotations

import contextlib
import graphlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

LAYERS: tuple[str, ...] = ("staging", "intermediate", "marts")
BUILD_SCHEMA = "marts_next"
_WRITE_KEYWORDS = re.compile(
    r"^\s*(insert|update|delete|create|drop|alter|copy|attach|detach|install|load|set|pragma|call|"
    r"export|import|checkpoint|vacuum|truncate|merge|begin|commit|rollback|use|reset|comment)\b",
    re.IGNORECASE,
)


class WarehouseError(RuntimeError):
    """A warehouse problem with a message meant for the user."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the DuckDB write lock."""


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a read-only connection never creates the file."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `jobtrends run` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusyError(
                f"the warehouse {path} is in use by another process (DuckDB allows one writer); "
                "wait for the running pipeline to finish, or read the Parquet exports"
            ) from exc
        raise
    try:
        yield con
    finally:
        con.close()


def ensure_schema(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Create the append-only tables (``sql/ddl``) if they do not exist yet."""
    for schema in ("raw", "ops", "normalised", *LAYERS, BUILD_SCHEMA):
        con.execute(f"create schema if not exists {schema}")
    for ddl in sorted((sql_dir / "ddl").glob("*.sql")):
        con.execute(ddl.read_text())


def execute_file(con: duckdb.DuckDBPyConnection, path: Path, params: Sequence[Any] | dict | None = None) -> None:
    con.execute(path.read_text(), params) if params is not None else con.execute(path.read_text())


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, *, replace: bool = False) -> int:
    """Append (or replace the contents of) ``table`` with an Arrow table, matching columns by name."""
    con.register("_jt_incoming", data)
    try:
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        if replace:
            con.execute(f"delete from {table}")
        con.execute(f"insert into {table} ({cols}) select {cols} from _jt_incoming")
    finally:
        con.unregister("_jt_incoming")
    return data.num_rows


# ----------------------------------------------------------------------------- models and builds


@dataclass(frozen=True, slots=True)
class Model:
    layer: str
    name: str
    path: Path

    @property
    def qualified(self) -> str:
        return f"{self.layer}.{self.name}"

    def sql(self) -> str:
        return self.path.read_text()


def discover_models(sql_dir: Path) -> list[Model]:
    """All models in dependency order (layer order first, then references between files)."""
    models = [
        Model(layer, p.stem, p) for layer in LAYERS for p in sorted((sql_dir / layer).glob("*.sql"))
    ]
    by_name = {m.qualified: m for m in models}
    graph: dict[str, set[str]] = {}
    for m in models:
        text = _strip_comments(m.sql())
        deps = {q for q in by_name if q != m.qualified and re.search(rf"\b{re.escape(q)}\b", text)}
        graph[m.qualified] = deps
    order = list(graphlib.TopologicalSorter(graph).static_order())
    return [by_name[q] for q in order]


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _render(model: Model, target_schema: str) -> str:
    body = model.sql().strip().rstrip(";")
    if target_schema != model.layer:
        body = re.sub(rf"\b{model.layer}\.", f"{target_schema}.", body)
    return f"create or replace table {target_schema}.{model.name} as\n{body}"


def build_layers(con: duckdb.DuckDBPyConnection, sql_dir: Path, layers: Sequence[str] = ("staging", "intermediate")) -> list[str]:
    """(Re)build the staging and intermediate models in place."""
    built: list[str] = []
    for model in discover_models(sql_dir):
        if model.layer in layers:
            _run_model(con, model, model.layer)
            built.append(model.qualified)
    return built


def build_marts(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """Build every mart into ``marts_next`` (nothing visible in ``marts`` changes yet)."""
    con.execute(f"create schema if not exists {BUILD_SCHEMA}")
    built = []
    for model in discover_models(sql_dir):
        if model.layer == "marts":
            _run_model(con, model, BUILD_SCHEMA)
            built.append(model.name)
    return built


def publish_marts(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    """Swap the built marts into ``marts`` atomically: all of them or none."""
    con.execute("begin transaction")
    try:
        for name in names:
            con.execute(f"create or replace table marts.{name} as select * from {BUILD_SCHEMA}.{name}")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _run_model(con: duckdb.DuckDBPyConnection, model: Model, schema: str) -> None:
    try:
        con.execute(_render(model, schema))
    except duckdb.Error as exc:
        raise WarehouseError(f"building {model.qualified} ({model.path}) failed: {exc}") from exc


# ----------------------------------------------------------------------------- reading


def assert_read_only(sql: str) -> None:
    """Refuse statements that write, before DuckDB's read-only mode would (clearer message)."""
    for statement in filter(None, (s.strip() for s in _strip_comments(sql).split(";"))):
        if _WRITE_KEYWORDS.match(statement):
            raise WarehouseError(f"refusing to run a statement that writes: {statement.split()[0].upper()} ...")


def query(path: Path, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
    """Run one read-only query; return column names and rows."""
    assert_read_only(sql)
    with connect(path, read_only=True) as con:
        try:
            cur = con.execute(sql, params) if params else con.execute(sql)
        except duckdb.Error as exc:
            raise WarehouseError(str(exc)) from exc
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str]:
    """Row count and an order-independent content hash of a table."""
    row = con.execute(
        f"select count(*), coalesce(bit_xor(hash(t::varchar)), 0)::varchar from {table} as t"
    ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])
