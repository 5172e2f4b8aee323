"""The dbt-like model runner: discover the ``sql/`` models, build the layers and the marts, publish them."""

from __future__ import annotations

import contextlib
import graphlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobtrends.warehouse import additive, facts
from jobtrends.warehouse.connection import (
    BUILD_SCHEMA,
    LAYERS,
    REJECTED_SCHEMA,
    WarehouseError,
    registered,
    then_execute,
    transaction,
)
from jobtrends.warehouse.normalised import ROW_GROUP_ROWS

_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(table|view)\b", re.IGNORECASE | re.MULTILINE)
_BUILD_TEMP = re.compile(r"^--\s*build:\s*temp table\b", re.IGNORECASE | re.MULTILINE)
#: Prefix of the temp tables a build computes once for views that several of its models read.
BUILD_CACHE_PREFIX = "_jt_build__"


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

    @property
    def materialized(self) -> str:
        """``view`` when the model's header says ``-- materialized: view`` (staging/intermediate only: a
        model read once, or cheap to compute, need not be copied); otherwise ``table``. Marts are tables."""
        if self.layer == "marts":
            return "table"
        match = _MATERIALIZED.search(self.sql())
        return match.group(1).lower() if match else "table"

    @property
    def build_temp(self) -> bool:
        """A view whose header also says ``-- build: temp table``: the build computes it once into a temp
        table (memory, never written to the file) that the tables and marts built after it read instead;
        the view stays for ad hoc queries."""
        return self.materialized == "view" and _BUILD_TEMP.search(self.sql()) is not None

    @property
    def cache_table(self) -> str:
        return f"{BUILD_CACHE_PREFIX}{self.layer}__{self.name}"


def discover_models(sql_dir: Path) -> list[Model]:
    """All models in dependency order (layer order first, then references between files)."""
    models = [Model(layer, p.stem, p) for layer in LAYERS for p in sorted((sql_dir / layer).glob("*.sql"))]
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


def _render(model: Model, target_schema: str, cached: Sequence[Model] = ()) -> str:
    """The model's ``create`` statement; a table reads the build's temp copies of ``cached`` views (a view
    is stored, so it keeps the names it was written with)."""
    return f"create or replace {model.materialized} {target_schema}.{model.name} as\n{_body(model, target_schema, cached)}"


def _body(model: Model, target_schema: str, cached: Sequence[Model]) -> str:
    body = model.sql().strip().rstrip(";")
    for other in cached:
        body = re.sub(rf"\b{re.escape(other.qualified)}\b", other.cache_table, body)
    if target_schema != model.layer:
        body = re.sub(rf"\b{model.layer}\.", f"{target_schema}.", body)
    return body


@contextlib.contextmanager
def _build_session(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Settings for building models, restored afterwards: no model depends on the order of rows in a
    table (readers sort), so DuckDB need not keep the insertion order through every operator."""
    ((previous,),) = con.execute("select current_setting('preserve_insertion_order')").fetchall()
    con.execute("set preserve_insertion_order = false")
    with then_execute(con, f"set preserve_insertion_order = {'true' if previous else 'false'}"):
        yield


def build_layers(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    layers: Sequence[str] = ("staging", "intermediate"),
    *,
    incremental: bool = False,
    timings: dict[str, float] | None = None,
    modes: dict[str, str] | None = None,
) -> list[str]:
    """(Re)build the staging and intermediate models in place (the marts build does it inside the
    transaction that publishes or rolls back, so a rejected build leaves them as published).

    Views marked ``-- build: temp table`` are also computed once into temp tables, which the tables built
    after them (and :func:`build_marts` on this connection) read; those no mart reads are dropped at the
    end, :func:`drop_build_cache` frees the others.
    ``intermediate.int_posting_stable_facts`` is refreshed by :mod:`.facts`: ``incremental`` recomputes
    only the rows whose inputs changed since the last build (otherwise, and when it cannot, the whole table);
    a table whose header says ``-- additive measures:`` is then updated from the rows it replaced
    (:mod:`.additive`).
    ``timings`` gets each model's seconds (a view costs nothing until read, unless the build caches it);
    ``modes`` how each of those two kinds of table was refreshed (full, incremental, unchanged).
    """
    built: list[str] = []
    cached: list[Model] = []
    models = discover_models(sql_dir)
    facts_mode: str | None = None
    with _build_session(con):
        for model in models:
            if model.layer in layers:
                started = time.perf_counter()
                # a table refreshed from the last build's (facts, additive aggregates) says how: its mode
                mode: str | None = None
                if model.materialized == "table" and facts.handles(model.qualified, sql_dir):
                    facts_mode = mode = _refresh_facts(con, model, sql_dir, cached, incremental=incremental)
                elif model.materialized == "table" and additive.measures(model.sql()):
                    mode = _refresh_additive(con, model, cached, facts_mode)
                else:
                    _run_model(con, model, model.layer, cached)
                if model.materialized == "table" and mode != "unchanged":
                    _analyze(con, model)
                if mode is not None and modes is not None:
                    modes[model.qualified] = mode
                if model.build_temp:
                    _cache_model(con, model, cached)
                    cached.append(model)
                built.append(model.qualified)
                if timings is not None:
                    timings[model.qualified] = time.perf_counter() - started
    additive.drop_delta(con)
    # the temp tables no later model reads are freed now: they hold memory the marts' aggregates need
    later = [_strip_comments(m.sql()) for m in models if m.layer not in layers]
    for model in cached:
        if not any(re.search(rf"\b{re.escape(model.qualified)}\b", text) for text in later):
            con.execute(f'drop table if exists temp.main."{model.cache_table}"')
    return built


def _analyze(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Give DuckDB's optimizer the statistics of a table this build wrote.

    Rows written in the open (uncommitted) transaction have no distinct-value counts, so DuckDB guesses
    join and group sizes from row counts: at 3M postings it took ``select distinct role`` for 1.1M
    rows, planned the salary mart around that and spilled until the disk was full. ANALYZE costs
    ~0.1 s per million postings."""
    try:
        con.execute(f"analyze {model.qualified}")
    except duckdb.Error as exc:
        raise WarehouseError(f"analyzing {model.qualified} failed: {exc}") from exc


def _refresh_facts(
    con: duckdb.DuckDBPyConnection, model: Model, sql_dir: Path, cached: Sequence[Model], *, incremental: bool
) -> str:
    """Refresh the facts table (:mod:`.facts`); returns the refresh's mode (full, incremental, unchanged)."""
    try:
        return str(
            facts.refresh(
                con,
                sql_dir,
                model.sql().strip().rstrip(";"),
                {m.qualified: m.cache_table for m in cached},
                lambda: _run_model(con, model, model.layer, cached),
                incremental=incremental,
            )["mode"]
        )
    except duckdb.Error as exc:
        raise WarehouseError(f"refreshing {model.qualified} ({model.path}) failed: {exc}") from exc


def _refresh_additive(
    con: duckdb.DuckDBPyConnection, model: Model, cached: Sequence[Model], facts_mode: str | None
) -> str:
    """Update an additive aggregate of the facts from this build's facts delta (:mod:`.additive`), or
    build it in full; returns the mode (full, incremental, unchanged)."""
    try:
        mode = additive.refresh(con, model.qualified, model.sql().strip().rstrip(";"), facts_mode)
    except duckdb.Error as exc:
        raise WarehouseError(f"refreshing {model.qualified} ({model.path}) failed: {exc}") from exc
    if mode is None:
        _run_model(con, model, model.layer, cached)
        return "full"
    return mode


def _cache_model(con: duckdb.DuckDBPyConnection, model: Model, cached: Sequence[Model]) -> None:
    try:
        con.execute(
            f"create or replace temp table {model.cache_table} as\n{_body(model, model.layer, cached)}"
        )
        con.execute(f"analyze temp.main.{model.cache_table}")  # see _analyze
    except duckdb.Error as exc:
        raise WarehouseError(f"building {model.qualified} ({model.path}) failed: {exc}") from exc


def _cache_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)",
        [BUILD_CACHE_PREFIX],
    ).fetchall()
    return {r[0] for r in rows}


def _cached_models(con: duckdb.DuckDBPyConnection, models: Sequence[Model]) -> list[Model]:
    """The models whose build temp table exists on this connection."""
    present = _cache_tables(con)
    return [m for m in models if m.build_temp and m.cache_table in present]


def drop_build_cache(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables of :func:`build_layers` (they hold the build's inputs in memory)."""
    for name in sorted(_cache_tables(con)):
        con.execute(f'drop table if exists temp.main."{name}"')


def build_marts(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, *, timings: dict[str, float] | None = None
) -> list[str]:
    """Build every mart into ``marts_next`` (nothing visible in ``marts`` changes yet); ``timings`` gets
    each mart's seconds (as ``marts.<name>``)."""
    con.execute(f"create schema if not exists {BUILD_SCHEMA}")
    built = []
    models = discover_models(sql_dir)
    cached = _cached_models(con, models)
    with _build_session(con):
        for model in models:
            if model.layer == "marts":
                started = time.perf_counter()
                _run_model(con, model, BUILD_SCHEMA, cached)
                built.append(model.name)
                if timings is not None:
                    timings[model.qualified] = time.perf_counter() - started
    return built


def publish_marts(
    con: duckdb.DuckDBPyConnection,
    names: Sequence[str],
    *,
    also: Callable[[duckdb.DuckDBPyConnection], Any] | None = None,
    in_transaction: bool = False,
) -> Any:
    """Swap the built marts into ``marts`` atomically: all of them or none. ``also(con)`` runs in the same
    transaction (the marts' comments: readers see them documented, and one commit is cheaper than 140).
    ``in_transaction``: the caller's transaction is open (the build's); it commits or rolls back."""
    with contextlib.nullcontext() if in_transaction else transaction(con):
        for name in names:
            con.execute(f"create or replace table marts.{name} as select * from {BUILD_SCHEMA}.{name}")
        return also(con) if also is not None else None


def needs_vacuum(con: duckdb.DuckDBPyConnection, tables: Sequence[str] | None = None) -> bool:
    """Whether one of ``tables`` (default: every table of the warehouse with a row group's worth of rows)
    holds more than twice the row groups its rows need (a missing table does not). Each incremental build
    deletes rows all over the facts table and its state and appends a small row group at their end, as
    nightly loads append to the raw and normalised tables; DuckDB's vacuum merges those at a checkpoint,
    which at 1M rows costs 1.4-1.6 s: writers leave it to the build (:func:`.connection.connect`), which
    runs it once this says the tables have fragmented."""
    sizes = {
        f"{schema}.{name}": size
        for schema, name, size in con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    }
    if tables is None:
        tables = [table for table, size in sizes.items() if size >= ROW_GROUP_ROWS]
    for table in tables:
        if table not in sizes:
            continue
        ((groups, rows),) = con.execute(
            f"select count(distinct row_group_id), (select count(*) from {table}) "
            f"from pragma_storage_info('{table}')"
        ).fetchall()
        if groups > 2 * max(1, -(-int(rows) // ROW_GROUP_ROWS)):
            return True
    return False


@contextlib.contextmanager
def vacuum_on_commit(con: duckdb.DuckDBPyConnection, enabled: bool) -> Iterator[None]:
    """While the block runs (its commit included), let DuckDB's checkpoints vacuum (merge row groups
    with deleted rows, DuckDB's default) only if ``enabled``; the previous ``max_vacuum_tasks`` (0 on a
    writer opened by :func:`.connection.connect`) is restored afterwards.
    Skipping it leaves deleted rows and small row groups in place until a later vacuum: scans stay
    correct (deleted rows are skipped), the file holds some dead rows meanwhile."""
    ((previous,),) = con.execute("select current_setting('max_vacuum_tasks')").fetchall()
    con.execute("reset max_vacuum_tasks" if enabled else "set max_vacuum_tasks = 0")
    with then_execute(con, f"set max_vacuum_tasks = {int(previous)}"):
        yield


def keep_rejected_marts(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Write the marts of a rejected build into ``marts_rejected`` (replacing the previous ones)."""
    con.execute(f"create schema if not exists {REJECTED_SCHEMA}")
    for name, table in tables.items():
        with registered(con, _jt_rejected=table):
            con.execute(f"create or replace table {REJECTED_SCHEMA}.{name} as select * from _jt_rejected")


def _run_model(
    con: duckdb.DuckDBPyConnection, model: Model, schema: str, cached: Sequence[Model] = ()
) -> None:
    try:
        # a model that changed between table and view: drop the old kind (CREATE OR REPLACE cannot)
        other = "table" if model.materialized == "view" else "view"
        existing = con.execute(
            "select 1 from duckdb_tables() where ? = 'table' and database_name = current_database() "
            "and schema_name = ? and table_name = ? "
            "union all select 1 from duckdb_views() where ? = 'view' and database_name = current_database() "
            "and schema_name = ? and view_name = ?",
            [other, schema, model.name, other, schema, model.name],
        ).fetchall()
        if existing:
            con.execute(f"drop {other} {schema}.{model.name}")
        con.execute(_render(model, schema, cached if model.materialized == "table" else ()))
    except duckdb.Error as exc:
        raise WarehouseError(f"building {model.qualified} ({model.path}) failed: {exc}") from exc
