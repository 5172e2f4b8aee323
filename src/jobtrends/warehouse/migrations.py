"""Creating the append-only tables (``sql/ddl``) and migrating warehouses written by older versions.

A migration that rewrites rows of ``normalised.postings`` in place must also bump
:data:`~jobtrends.warehouse.facts.STATE_VERSION`: the additive aggregates (:mod:`.additive`) subtract what a
replaced facts row added by reading its normalised row again, which is right only while that row is
unchanged, and the new key rebuilds them in full.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb

from jobtrends.warehouse.connection import BUILD_SCHEMA, LAYERS, in_transaction, transaction
from jobtrends.warehouse.raw import CONTENT_HASH_VERSION, content_hash_sql
from jobtrends.warehouse.read import scalar

log = logging.getLogger(__name__)


def ensure_schema(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Create the append-only tables (``sql/ddl``) if they do not exist yet."""
    for schema in ("raw", "ops", "normalised", *LAYERS, BUILD_SCHEMA):
        con.execute(f"create schema if not exists {schema}")
    zstd = zstd_available(con)
    for ddl in sorted((sql_dir / "ddl").glob("*.sql")):
        migrate = _MIGRATIONS.get(ddl.name)
        if migrate is not None:
            migrate(con)
        text = ddl.read_text()
        # DuckDB binds a column's compression even for a table that exists: drop what the file cannot store
        con.execute(text if zstd else _ZSTD_CLAUSE.sub("", text))
    _rehash_content(con)


_ZSTD_CLAUSE = re.compile(r"\s+using\s+compression\s+zstd\b", re.IGNORECASE)
_STORAGE_VERSION = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def zstd_available(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse file can store a column with ``USING COMPRESSION zstd``: its storage version
    is 1.2.0 or later (a file created by an older DuckDB keeps its version; such a file refuses the
    clause, even in a ``create table if not exists`` of a table it holds). In memory: always."""
    found = con.execute(
        "select tags from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    version = (found[0][0] or {}).get("storage_version") if found else None
    if not version:
        return True
    match = _STORAGE_VERSION.match(str(version))
    return match is not None and tuple(int(part) for part in match.groups()) >= (1, 2, 0)


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
            # the near-duplicate LSH keys name versions by their old hashes: the next step writes them anew
            c.execute("delete from normalised.dedup_band_keys_state")
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
    with transaction(con):
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


def _signatures_as_lists(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses from before signatures were stored as ``uinteger[]`` (a BLOB column costs DuckDB ~2.5x
    the insert time): drop the stored signatures. They are a cache: a recomputed block signs every version
    without one from its text, which gives the same signature (``040_dedup.sql`` creates the new table)."""
    kind = con.execute(
        "select data_type from information_schema.columns where table_schema = 'normalised' "
        "and table_name = 'dedup_signatures' and column_name = 'signature'"
    ).fetchall()
    if kind and kind[0][0] == "BLOB":
        con.execute("drop table normalised.dedup_signatures")


def _descriptions_as_zstd(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses from before ``raw.postings.description`` was stored with zstd (``010_raw.sql``): rewrite
    the table once under the same definition plus that column's compression. DuckDB cannot change a
    column's compression in place, and keeps it per table: without the rewrite every later load would
    still pay the automatic choice's analysis. Rows keep their order (insertion order is preserved), so
    their row ids change only where rows were deleted before."""
    found = con.execute(
        "select sql from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = 'postings'"
    ).fetchall()
    if not found or not zstd_available(con):
        return  # (a file of an older storage version keeps the automatic compression)
    create, n = re.subn(
        r"\bdescription VARCHAR(?= *[,)])", "description VARCHAR USING COMPRESSION ZSTD", found[0][0], count=1
    )
    if not n:
        return  # zstd already (or a table without the column: another set of DDL)
    create, n = re.subn(r"^CREATE TABLE raw\.postings\(", "CREATE TABLE raw._jt_postings_zstd(", create)
    if not n:  # storage only: a definition spelled another way keeps working, with the old compression
        log.warning("raw.postings: unexpected definition, descriptions stay as stored: %s", found[0][0][:200])
        return
    rows = scalar(con, "select count(*) from raw.postings")
    if rows:  # a warning, so that the CLI (no logging set up) shows why this run pauses (~11 s per 1M rows)
        log.warning(
            "one-off migration: rewriting the %s rows of raw.postings to store descriptions with zstd",
            f"{rows:,}",
        )

    def rewrite(c: duckdb.DuckDBPyConnection) -> None:
        c.execute(create)
        c.execute("insert into raw._jt_postings_zstd by name select * from raw.postings")
        c.execute("drop table raw.postings")
        c.execute("alter table raw._jt_postings_zstd rename to postings")

    in_transaction(con, rewrite)


#: Python steps run before the DDL file of the same name (data moves a plain DDL cannot express).
_MIGRATIONS = {
    "010_raw.sql": _descriptions_as_zstd,
    "031_posting_skills.sql": _before_posting_skills,
    "040_dedup.sql": _signatures_as_lists,
}
