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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobtrends.errors import BusyError

LAYERS: tuple[str, ...] = ("staging", "intermediate", "marts")
BUILD_SCHEMA = "marts_next"
#: DuckDB settings of the ``jobtrends query`` connection, fixed when it opens: no file or network access
#: beyond the warehouse itself, no extensions, and ``lock_configuration`` so no statement can undo them.
SANDBOX_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "lock_configuration": True,
}
#: The marts of the last rejected build, kept to inspect (never read by the pipeline).
REJECTED_SCHEMA = "marts_rejected"


_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(table|view)\b", re.IGNORECASE | re.MULTILINE)
_BUILD_TEMP = re.compile(r"^--\s*build:\s*temp table\b", re.IGNORECASE | re.MULTILINE)
#: Prefix of the temp tables a build computes once for views that several of its models read.
BUILD_CACHE_PREFIX = "_jt_build__"


class WarehouseError(RuntimeError):
    """A warehouse problem with a message meant for the user."""


class WarehouseOpenInProcessError(WarehouseError):
    """The file is already open in this process with other settings (DuckDB shares one instance)."""


class WarehouseBusyError(WarehouseError, BusyError):
    """Another process holds the DuckDB write lock."""


@contextlib.contextmanager
def connect(
    path: Path, *, read_only: bool = False, sandbox: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a read-only connection never creates the file. ``sandbox`` (implies read-only)
    applies :data:`SANDBOX_CONFIG` at connect time: the warehouse opens, nothing else on disk does."""
    path = Path(path)
    read_only = read_only or sandbox
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `jobtrends run` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=dict(SANDBOX_CONFIG) if sandbox else {})
    except duckdb.ConnectionException as exc:
        # DuckDB shares one database instance per file within a process, with one configuration
        raise WarehouseOpenInProcessError(
            f"the warehouse {path} is already open in this process with other settings; close it first"
        ) from exc
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
        migrate = _MIGRATIONS.get(ddl.name)
        if migrate is not None:
            migrate(con)
        con.execute(ddl.read_text())
    _rehash_content(con)


def _rehash_content(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses from before :func:`content_hash_sql`: recompute every stored ``content_hash`` (the Python
    load hashed with sha256 of a JSON text, the native dump load with DuckDB's ``hash()``) in one
    transaction, in every table that holds it; a version stored twice under the two old hashes becomes one
    (the first loaded stays). Runs once (``ops.migrations``); a new warehouse only records it."""
    name = f"content_hash_{CONTENT_HASH_VERSION}"
    present = scalar(
        con,
        "select count(*) from duckdb_tables() where database_name = current_database() and "
        "(schema_name, table_name) in (('ops', 'migrations'), ('raw', 'postings'))",
    )
    if present != 2 or scalar(con, "select count(*) from ops.migrations where name = ?", [name]):
        return  # another set of DDL (tests build their own), or done before

    def migrate(c: duckdb.DuckDBPyConnection) -> None:
        c.execute(
            f"""
            create or replace temp table _jt_rehash as
            select posting_key, source, source_id, old_hash, min(new_hash) as new_hash
            from (select posting_key, source, source_id, content_hash as old_hash, {content_hash_sql()} as new_hash
                  from raw.postings)
            group by all having old_hash <> min(new_hash)
            """
        )
        if scalar(c, "select count(*) from _jt_rehash"):
            c.execute(
                "update raw.postings as t set content_hash = r.new_hash from _jt_rehash as r "
                "where t.source = r.source and t.source_id = r.source_id and t.content_hash = r.old_hash"
            )
            c.execute(
                "update raw.sightings as t set content_hash = r.new_hash from _jt_rehash as r "
                "where t.source = r.source and t.source_id = r.source_id and t.content_hash = r.old_hash"
            )
            # ops.quarantine: its row versions must keep matching the rows they exclude (stg_exclusions)
            for table in ("normalised.postings", "normalised.dedup_processed", "ops.quarantine"):
                c.execute(
                    f"update {table} as t set content_hash = r.new_hash from _jt_rehash as r "
                    "where t.posting_key = r.posting_key and t.content_hash = r.old_hash"
                )
            for table, key, keep in (
                ("raw.postings", "source, source_id, content_hash", "loaded_at, rowid"),
                ("normalised.postings", "posting_key, content_hash, taxonomy_version", "normalised_at desc"),
                ("normalised.dedup_processed", "posting_key, content_hash", "processed_at"),
            ):
                c.execute(
                    f"delete from {table} where rowid in (select rowid from (select rowid, row_number() over "
                    f"(partition by {key} order by {keep}) as n from {table}) where n > 1)"
                )
        c.execute("drop table if exists _jt_rehash")
        c.execute("insert into ops.migrations (name) values (?)", [name])

    in_transaction(con, migrate)


def _skills_table_to_list(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses from before ``normalised.postings.skill_ids``: move the rows of the old
    ``normalised.posting_skills`` table into that list column and the dictionary, then drop the table
    (``031_posting_skills.sql`` makes it a view)."""
    kind = con.execute(
        "select table_type from information_schema.tables "
        "where table_schema = 'normalised' and table_name = 'posting_skills'"
    ).fetchall()
    if not kind or kind[0][0] != "BASE TABLE":
        return
    con.execute("begin transaction")
    try:
        con.execute(
            """
            update normalised.postings as p
            set skill_ids = s.skill_ids
            from (
                select posting_key, content_hash, list(distinct skill_id order by skill_id) as skill_ids
                from normalised.posting_skills
                group by posting_key, content_hash
            ) as s
            where p.posting_key = s.posting_key and p.content_hash = s.content_hash and p.skill_ids is null
            """
        )
        con.execute(
            "insert or ignore into normalised.skill_dictionary (skill_id, category, is_core) "
            "select skill_id, any_value(category), bool_or(is_core) from normalised.posting_skills group by skill_id"
        )
        con.execute("drop table normalised.posting_skills")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _backfill_synthetic_flag(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses from before ``normalised.postings.is_synthetic_sample``: read it off the descriptions once."""
    if not scalar(con, "select count(*) from normalised.postings where is_synthetic_sample is null"):
        return
    from transform.batch import SYNTHETIC_SAMPLE_MARKER

    con.execute(
        """
        update normalised.postings as n
        set is_synthetic_sample = coalesce(r.flag, false)
        from (
            select posting_key, content_hash, bool_or(contains(right(description, 200), $marker)) as flag
            from raw.postings
            group by posting_key, content_hash
        ) as r
        where n.is_synthetic_sample is null and r.posting_key = n.posting_key and r.content_hash = n.content_hash
        """,
        {"marker": SYNTHETIC_SAMPLE_MARKER},
    )
    con.execute(
        "update normalised.postings set is_synthetic_sample = false where is_synthetic_sample is null"
    )


def _before_posting_skills(con: duckdb.DuckDBPyConnection) -> None:
    _skills_table_to_list(con)
    _backfill_synthetic_flag(con)


#: Python steps run before the DDL file of the same name (data moves a plain DDL cannot express).
_MIGRATIONS = {"031_posting_skills.sql": _before_posting_skills}


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, *, replace: bool = False) -> int:
    """Append (or replace the contents of) ``table`` with an Arrow table, matching columns by name."""
    if data.num_rows == 0 and not replace:
        return 0
    return _write_arrow(con, table, data, "insert", delete_first=replace)


def upsert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> int:
    """Insert rows of an Arrow table, replacing those with the same primary key."""
    return _write_arrow(con, table, data, "insert or replace")


def _write_arrow(
    con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, verb: str, *, delete_first: bool = False
) -> int:
    con.register("_jt_incoming", data)
    try:
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        if delete_first:
            con.execute(f"delete from {table}")
        con.execute(f"{verb} into {table} ({cols}) select {cols} from _jt_incoming")
    finally:
        con.unregister("_jt_incoming")
    return data.num_rows


def in_transaction(con: duckdb.DuckDBPyConnection, fn: Any) -> Any:
    """Run ``fn(con)`` in one transaction: all of its writes land, or none."""
    con.execute("begin transaction")
    try:
        result = fn(con)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return result


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
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if previous else 'false'}")


def build_layers(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, layers: Sequence[str] = ("staging", "intermediate")
) -> list[str]:
    """(Re)build the staging and intermediate models in place (the marts build does it inside the
    transaction that publishes or rolls back, so a rejected build leaves them as published).

    Views marked ``-- build: temp table`` are also computed once into temp tables, which the tables built
    after them (and :func:`build_marts` on this connection) read; :func:`drop_build_cache` frees them.
    """
    built: list[str] = []
    cached: list[Model] = []
    with _build_session(con):
        for model in discover_models(sql_dir):
            if model.layer in layers:
                _run_model(con, model, model.layer, cached)
                if model.build_temp:
                    _cache_model(con, model, cached)
                    cached.append(model)
                built.append(model.qualified)
    return built


def _cache_model(con: duckdb.DuckDBPyConnection, model: Model, cached: Sequence[Model]) -> None:
    try:
        con.execute(
            f"create or replace temp table {model.cache_table} as\n{_body(model, model.layer, cached)}"
        )
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


def build_marts(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """Build every mart into ``marts_next`` (nothing visible in ``marts`` changes yet)."""
    con.execute(f"create schema if not exists {BUILD_SCHEMA}")
    built = []
    models = discover_models(sql_dir)
    cached = _cached_models(con, models)
    with _build_session(con):
        for model in models:
            if model.layer == "marts":
                _run_model(con, model, BUILD_SCHEMA, cached)
                built.append(model.name)
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
    if not in_transaction:
        con.execute("begin transaction")
    try:
        for name in names:
            con.execute(f"create or replace table marts.{name} as select * from {BUILD_SCHEMA}.{name}")
        result = also(con) if also is not None else None
        if not in_transaction:
            con.execute("commit")
    except Exception:
        if not in_transaction:
            con.execute("rollback")
        raise
    return result


def arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """A query's result as an Arrow table."""
    return con.sql(sql).to_arrow_table()


def keep_rejected_marts(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Write the marts of a rejected build into ``marts_rejected`` (replacing the previous ones)."""
    con.execute(f"create schema if not exists {REJECTED_SCHEMA}")
    for name, table in tables.items():
        con.register("_jt_rejected", table)
        try:
            con.execute(f"create or replace table {REJECTED_SCHEMA}.{name} as select * from _jt_rejected")
        finally:
            con.unregister("_jt_rejected")


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


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str]:
    """Row count and an order-independent content hash of a table."""
    ((count, digest),) = con.execute(
        f"select count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar from {table} as t"
    ).fetchall()
    return int(count), str(digest)


# ----------------------------------------------------------------------------- loader helpers

RAW_POSTING_TYPES: dict[str, str] = {
    "source": "varchar",
    "source_id": "varchar",
    "board": "varchar",
    "title": "varchar",
    "company": "varchar",
    "url": "varchar",
    "location_text": "varchar",
    "country": "varchar",
    "remote": "boolean",
    "work_mode": "varchar",
    "employment_type": "varchar",
    "description": "varchar",
    "posted_at": "timestamptz",
    "posted_at_precision": "varchar",
    "pay_min": "double",
    "pay_max": "double",
    "pay_currency": "varchar",
    "pay_period": "varchar",
    "pay_text": "varchar",
    "pay_is_estimate": "boolean",
    "raw_ref": "varchar",
    "fetched_at": "timestamptz",
    "extra": "json",
}
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


def content_hash_sql(alias: str = "") -> str:
    """The one definition of ``content_hash``: the first 32 hex digits of the SHA-256 of a canonical
    serialisation of a posting's content columns (``raw_ref`` and ``fetched_at`` are fetch bookkeeping).

    Every field in a fixed order as ``<UTF-8 byte length>:<text>`` or ``-`` for NULL (a prefix code: no two
    rows share a serialisation), over the *typed values as stored*, so both load paths (Python parsers and
    the native dump load) and any later re-check give the same hash for the same row. DuckDB's own
    ``sha256`` (runs on every thread; a Python hashlib UDF measured slower inside the load) — not ``hash()``,
    which may change between DuckDB versions.
    """
    prefix = f"{alias}." if alias else ""
    parts = []
    for field in _CONTENT_FIELDS:
        text = _field_text(f'{prefix}"{field}"', RAW_POSTING_TYPES[field])
        parts.append(f"coalesce(strlen({text})::varchar || ':' || {text}, '-')")
    return f"left(sha256(concat('{CONTENT_HASH_VERSION}|', {', '.join(parts)})), 32)"


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
    """Hash (:func:`content_hash_sql`) a batch of parsed postings, append the versions not already present
    (same source, id and content hash) to ``raw.postings`` and every row to ``raw.sightings``; return how
    many versions were new. ``table`` has the ``raw.postings`` columns but ``content_hash``."""
    if table.num_rows == 0:
        return 0
    con.register("_jt_postings", table)
    try:
        con.execute(
            f"create or replace temp table _jt_hashed as select *, {content_hash_sql()} as content_hash "
            "from _jt_postings"
        )
    finally:
        con.unregister("_jt_postings")
    try:
        cols = ", ".join(f'"{c}"' for c in [*table.column_names, "content_hash"])
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
    finally:
        con.execute("drop table if exists _jt_hashed")


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


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
    """First value of a query's first row (fetching everything: DuckDB 2.0 keeps partly fetched
    results open and then refuses other work on the connection)."""
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(scalar(con, f"select count(*) from {table}") or 0)


_READERS = {
    "jsonl": "read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
    "ndjson": "read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
    "csv": "read_csv(?, header = true, all_varchar = true)",
    "parquet": "read_parquet(?)",
}


def load_file_dumps_native(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[Path, Any]]
) -> dict[str, int] | None:
    """Load file dumps that share one format and column mapping straight through DuckDB's readers.

    One streaming ``insert … select`` reads every file (DuckDB parallelises across them), applies
    the mapping and skips posting versions already loaded; rows without a title are then moved to
    the quarantine. Returns None when DuckDB cannot read every file (a truncated line, say): the
    caller then loads them through the Python parser, which keeps every good record.
    Sightings are recorded for the rows this load added (a dump row loaded before is not re-sighted).
    """
    meta = files[0][1]
    options = meta.options or {}
    source_sql = _READERS[str(options["format"]).lower()].replace("?", "$files, filename = true", 1)
    paths = {landing_key(str(p)): str(p) for p, _ in files}  # landing-relative → absolute
    by_file = {landing_key(str(p)): m for p, m in files}
    params = {"files": list(paths.values())}
    try:
        present = {r[0] for r in con.execute(f"describe select * from {source_sql}", params).fetchall()}
    except duckdb.Error:
        return None
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
    cols = ", ".join(["posting_key", "content_hash", *RAW_POSTING_TYPES])
    in_files = "landing_file in (select landing_file from _jt_run_dates)"
    untitled = "title is null or trim(title) = ''"
    try:
        before = _count(con, "raw.postings")
        try:
            con.execute(
                f"""
                insert into raw.postings ({cols}, landing_file, run_date)
                select {", ".join("m." + c for c in cols.split(", ")).replace("m.raw_ref", "d.landing_file || m.raw_ref")},
                       d.landing_file, d.run_date
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
            con.execute("rollback")
            con.execute("begin transaction")
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
        exprs["source_id"] = f"coalesce({exprs['source_id']}, 'row-' || hash(to_json(d))::varchar)"
    else:
        exprs["raw_ref"] = "'#row=' || (row_number() over (partition by d.filename))::varchar"
        exprs["source_id"] = "'row-' || (row_number() over (partition by d.filename))::varchar"
    exprs["fetched_at"] = f"coalesce({exprs['fetched_at']}, {_literal(meta.fetched_at)}::timestamptz)"
    select = ",\n".join(f"{expr} as {field}" for field, expr in exprs.items())
    return f"""
        select *, source || ':' || source_id as posting_key, {content_hash_sql()} as content_hash
        from (select {select}, d.filename as _filename from {source_sql} as d)
    """


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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


def count_unnormalised(con: duckdb.DuckDBPyConnection, taxonomy_version: str) -> int:
    return int(scalar(con, f"select count(*) from ({_unnormalised_sql('1')})", {"version": taxonomy_version}))


#: DuckDB's row group size: appends in whole row groups avoid rewriting a partial group on the next
#: append (measured: 40% less CPU to insert normalised rows in 122,880-row chunks than in 131,072).
ROW_GROUP_ROWS = 122_880


def iter_unnormalised(
    con: duckdb.DuckDBPyConnection, taxonomy_version: str, chunk_rows: int
) -> Iterator[pa.Table]:
    """Raw rows still to normalise, streamed as Arrow tables of ``chunk_rows`` rows (the last may be shorter).

    Reads through a second cursor so the caller can insert results on ``con`` between chunks
    (the reader keeps its snapshot from before those inserts). No ORDER BY: rows are normalised
    independently, and sorting ~3 KB descriptions costs GBs of memory.
    """
    cols = ", ".join(f"r.{c}" for c in NORMALISER_INPUT)
    version = taxonomy_version.replace("'", "''")
    sql = _unnormalised_sql(cols).replace("$version", f"'{version}'")
    cursor = con.cursor()
    try:
        pending: list[pa.RecordBatch] = []
        rows = 0
        for batch in cursor.sql(sql).to_arrow_reader(min(chunk_rows, 65_536)):
            pending.append(batch)
            rows += batch.num_rows
            while rows >= chunk_rows:  # exact sizes: see ROW_GROUP_ROWS
                table = pa.Table.from_batches(pending)
                yield table.slice(0, chunk_rows)
                rest = table.slice(chunk_rows)
                pending, rows = rest.to_batches(), rest.num_rows
        if rows:
            yield pa.Table.from_batches(pending)
    finally:
        cursor.close()


# ----------------------------------------------------------------------------- benchmark helpers


def native_read_json_seconds(con: duckdb.DuckDBPyConnection, files: Sequence[Path]) -> tuple[float, int]:
    """Seconds DuckDB's own ``read_json`` takes to load JSON Lines ``files`` into a table of a
    database file, made durable (checkpointed) like the raw load's, and the row count: the
    baseline ``jobtrends.bench`` compares the raw load with."""
    import time

    started = time.perf_counter()
    con.execute(
        "create or replace table _jt_native as select * from "
        "read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
        [[str(f) for f in files]],
    )
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    rows = _count(con, "_jt_native")
    con.execute("drop table _jt_native")
    return seconds, rows


# ----------------------------------------------------------------------------- normaliser rule errors


def insert_normalise_errors(con: duckdb.DuckDBPyConnection, run_id: str, errors: Any) -> int:
    """One ``ops.normalise_errors`` row per rule that raised during a normalise run (a
    :class:`transform.rule_errors.RuleErrors`); nothing when there were none."""
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
    ).fetchone()
    return {
        "rows": int(rows),
        "currencies": int(currencies),
        "first_date": first.isoformat() if first else None,
        "newest_date": last.isoformat() if last else None,
    }
