"""warehouse.py: read-only queries, model ordering, atomic publish, fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from jobtrends import warehouse


def _make_sql_dir(tmp_path: Path, marts: dict[str, str]) -> Path:
    sql = tmp_path / "sql"
    for layer in ("staging", "intermediate", "marts", "ddl"):
        (sql / layer).mkdir(parents=True)
    (sql / "staging" / "stg_numbers.sql").write_text("select range as n from range(5)")
    (sql / "intermediate" / "int_doubled.sql").write_text(
        "-- grain: one row per n\nselect n * 2 as n from staging.stg_numbers"
    )
    for name, body in marts.items():
        (sql / "marts" / f"{name}.sql").write_text(body)
    return sql


def test_models_run_in_dependency_order(tmp_path: Path) -> None:
    sql = _make_sql_dir(
        tmp_path,
        {
            # 'a_total' sorts first but depends on 'b_base': the order must come from references
            "a_total": "select sum(n) as total from marts.b_base",
            "b_base": "select n from intermediate.int_doubled",
        },
    )
    order = [m.qualified for m in warehouse.discover_models(sql)]
    assert order.index("marts.b_base") < order.index("marts.a_total")
    assert order.index("staging.stg_numbers") < order.index("intermediate.int_doubled")


def test_a_model_can_be_a_view_and_change_kind_between_builds(tmp_path: Path) -> None:
    sql = _make_sql_dir(tmp_path, {"b_base": "select n from intermediate.int_doubled"})
    model = sql / "intermediate" / "int_doubled.sql"
    view_header = "-- grain: one row per n\n-- materialized: view (read once)\n"
    model.write_text(view_header + "select n * 2 as n from staging.stg_numbers")
    db = tmp_path / "w.duckdb"

    def kind(con: duckdb.DuckDBPyConnection) -> str:
        return con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = 'intermediate' and table_name = 'int_doubled'"
        ).fetchall()[0][0]

    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con, sql)
        warehouse.build_layers(con, sql)
        assert kind(con) == "VIEW"
        warehouse.publish_marts(con, warehouse.build_marts(con, sql))
        assert con.execute("select sum(n) from marts.b_base").fetchall()[0][0] == 20
        model.write_text("select n * 3 as n from staging.stg_numbers")  # a table again
        warehouse.build_layers(con, sql)
        assert kind(con) == "BASE TABLE"
        model.write_text(view_header + "select n * 2 as n from staging.stg_numbers")
        warehouse.build_layers(con, sql)
        assert kind(con) == "VIEW"
        # the build settings do not leak into the caller's connection
        assert con.execute("select current_setting('preserve_insertion_order')").fetchall()[0][0] is True
    mart = sql / "marts" / "b_base.sql"
    mart.write_text("-- materialized: view\nselect n from intermediate.int_doubled")
    assert next(m for m in warehouse.discover_models(sql) if m.name == "b_base").materialized == "table"


def test_a_view_marked_build_temp_is_computed_once_per_build(tmp_path: Path) -> None:
    # random(): every read of the view draws new numbers, so equal copies prove one computation
    sql = _make_sql_dir(
        tmp_path,
        {
            "a_copy": "select r from intermediate.int_draws",
            "b_copy": "select r from intermediate.int_draws",
            "c_view_reader": "select r from intermediate.int_draws_view",
        },
    )
    (sql / "intermediate" / "int_draws.sql").write_text(
        "-- materialized: view\n-- build: temp table (two marts read it)\n"
        "select n, random() as r from staging.stg_numbers"
    )
    (sql / "intermediate" / "int_draws_view.sql").write_text(
        "-- materialized: view\nselect r from intermediate.int_draws"
    )
    draws = next(m for m in warehouse.discover_models(sql) if m.name == "int_draws")
    assert draws.materialized == "view" and draws.build_temp
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_schema(con, sql)
        warehouse.build_layers(con, sql)
        names = warehouse.build_marts(con, sql)
        warehouse.drop_build_cache(con)
        warehouse.publish_marts(con, names)

        def values(table: str) -> list[float]:
            return [r[0] for r in con.execute(f"select r from {table} order by r").fetchall()]

        assert values("marts.a_copy") == values("marts.b_copy")
        # the stored views keep their names: they work after the build's temp tables are gone
        assert values("intermediate.int_draws") != values("marts.a_copy")
        assert len(values("intermediate.int_draws_view")) == 5
        assert len(values("marts.c_view_reader")) == 5
        assert not con.execute("select table_name from duckdb_tables() where temporary").fetchall()
        stored = " ".join(
            r[0] for r in con.execute("select sql from duckdb_views() where not internal").fetchall()
        )
        assert warehouse.BUILD_CACHE_PREFIX not in stored


def test_marts_become_visible_only_on_publish(tmp_path: Path) -> None:
    sql = _make_sql_dir(
        tmp_path,
        {
            "b_base": "select n from intermediate.int_doubled",
            "a_total": "select sum(n) as total from marts.b_base",
        },
    )
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con, sql)
        warehouse.build_layers(con, sql)
        built = warehouse.build_marts(con, sql)
        assert (
            con.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts'"
            ).fetchone()[0]
            == 0
        )
        warehouse.publish_marts(con, built)
        assert con.execute("select total from marts.a_total").fetchone()[0] == 20  # 2*(0+1+2+3+4)


def test_failed_publish_keeps_previous_marts(tmp_path: Path) -> None:
    sql = _make_sql_dir(tmp_path, {"b_base": "select n from intermediate.int_doubled"})
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con, sql)
        warehouse.build_layers(con, sql)
        warehouse.publish_marts(con, warehouse.build_marts(con, sql))
        before = warehouse.table_fingerprint(con, "marts.b_base")
        con.execute("create or replace table marts_next.b_base as select 99 as n")
        with pytest.raises(duckdb.CatalogException, match="does_not_exist"):
            warehouse.publish_marts(con, ["b_base", "does_not_exist"])
        assert warehouse.table_fingerprint(con, "marts.b_base") == before


def test_query_refuses_writes_and_reads_without_creating(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with pytest.raises(warehouse.WarehouseError, match="no warehouse"):
        warehouse.query(db, "select 1")
    assert not db.exists()
    with warehouse.connect(db) as con:
        con.execute("create table t as select 1 as x")
    assert warehouse.query(db, "select x from t") == (["x"], [(1,)])
    for statement in (
        "drop table t",
        "insert into t values (2)",
        "  -- note\n DELETE from t",
        "select 1; update t set x = 3",
    ):
        with pytest.raises(warehouse.WarehouseError, match="refusing a|one statement"):
            warehouse.query(db, statement)
    # read-only mode is the second line of defence
    with pytest.raises(warehouse.WarehouseError):
        warehouse.query(db, "with x as (select 1) select * from x; checkpoint")


def test_fingerprint_changes_with_content_not_order(tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute("create table a as select * from (values (1, 'x'), (2, 'y')) t(i, s)")
        con.execute("create table b as select * from (values (2, 'y'), (1, 'x')) t(i, s)")
        con.execute("create table c as select * from (values (1, 'x'), (2, 'z')) t(i, s)")
        assert warehouse.table_fingerprint(con, "a") == warehouse.table_fingerprint(con, "b")
        assert warehouse.table_fingerprint(con, "a") != warehouse.table_fingerprint(con, "c")


def test_old_warehouse_gets_skill_lists_and_the_synthetic_flag(tmp_path: Path) -> None:
    """A warehouse from before ``skill_ids`` (a ``posting_skills`` table) and ``is_synthetic_sample``."""
    from transform.batch import SYNTHETIC_SAMPLE_MARKER

    sql_dir = Path(__file__).resolve().parents[3] / "sql"
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    warehouse.ensure_schema(con, sql_dir)
    # turn the new layout back into the old one
    con.execute("drop view normalised.posting_skills")
    con.execute("alter table normalised.postings drop column skill_ids")
    con.execute("alter table normalised.postings drop column is_synthetic_sample")
    con.execute(
        "create table normalised.posting_skills (posting_key varchar not null, content_hash varchar not null, "
        "skill_id varchar not null, category varchar, is_core boolean not null)"
    )
    for key, desc in (
        ("gh:1", f"Build models.\n\n{SYNTHETIC_SAMPLE_MARKER}"),
        ("gh:2", "Real text"),
        ("gh:3", None),
    ):
        con.execute(
            "insert into raw.postings (posting_key, source, source_id, content_hash, title, description, "
            "landing_file, run_date) values (?, 'gh', ?, 'h', 'ML Engineer', ?, 'f.json', date '2025-01-01')",
            [key, key[3:], desc],
        )
        con.execute(
            "insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, is_ai_role) "
            "values (?, 'h', '1', 'ml_engineer', 'mid', true)",
            [key],
        )
    con.execute(
        "insert into normalised.posting_skills values ('gh:1', 'h', 'pytorch', 'ml_framework', true), "
        "('gh:1', 'h', 'python', 'language', true), ('gh:2', 'h', 'python', 'language', true)"
    )

    warehouse.ensure_schema(con, sql_dir)

    rows = dict(con.execute("select posting_key, skill_ids from normalised.postings").fetchall())
    assert rows == {"gh:1": ["python", "pytorch"], "gh:2": ["python"], "gh:3": None}
    flags = dict(con.execute("select posting_key, is_synthetic_sample from normalised.postings").fetchall())
    assert flags == {"gh:1": True, "gh:2": False, "gh:3": False}
    view = con.execute(
        "select posting_key, skill_id, category, is_core from normalised.posting_skills order by all"
    ).fetchall()
    assert view == [
        ("gh:1", "python", "language", True),
        ("gh:1", "pytorch", "ml_framework", True),
        ("gh:2", "python", "language", True),
    ]
    warehouse.ensure_schema(con, sql_dir)  # a second run changes nothing
    assert dict(con.execute("select posting_key, skill_ids from normalised.postings").fetchall()) == rows


def test_signatures_stored_as_blobs_are_dropped_and_the_table_takes_lists(tmp_path: Path) -> None:
    """Stored MinHash signatures are a cache: a warehouse that kept them as BLOBs loses them (they are
    signed again from the texts) and gets the ``uinteger[]`` column; lists already stored stay."""
    sql_dir = Path(__file__).resolve().parents[3] / "sql"
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    warehouse.ensure_schema(con, sql_dir)
    con.execute("drop table normalised.dedup_signatures")
    con.execute(
        "create table normalised.dedup_signatures (posting_key varchar not null, content_hash varchar not null, "
        "num_perm integer not null, text_hash ubigint not null, words integer not null, signature blob not null)"
    )
    con.execute(
        "insert into normalised.dedup_signatures values ('gh:1', 'h', 1, 7, 3, '\\x01\\x00\\x00\\x00'::blob)"
    )

    warehouse.ensure_schema(con, sql_dir)

    column = "select data_type from information_schema.columns where table_name = 'dedup_signatures' and column_name = 'signature'"
    assert con.execute(column).fetchall() == [("UINTEGER[]",)]
    assert con.execute("select count(*) from normalised.dedup_signatures").fetchall() == [(0,)]
    con.execute("insert into normalised.dedup_signatures values ('gh:1', 'h', 2, 7, 3, [1, 2])")
    warehouse.ensure_schema(con, sql_dir)
    assert con.execute("select signature from normalised.dedup_signatures").fetchall() == [([1, 2],)]


def test_an_old_raw_table_is_rewritten_once_with_zstd_descriptions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A warehouse whose ``raw.postings`` stores descriptions under DuckDB's automatic compression gets the
    table rewritten with zstd: same rows in the same order, same constraints and defaults, and later
    writes of the column stored as zstd."""
    sql_dir = Path(__file__).resolve().parents[3] / "sql"
    path = str(tmp_path / "old.duckdb")
    con = duckdb.connect(path)
    con.execute("create schema raw")
    con.execute((sql_dir / "ddl" / "010_raw.sql").read_text().replace("using compression zstd", ""))
    for i in range(6):
        con.execute(
            "insert into raw.postings (posting_key, source, source_id, content_hash, title, description, "
            "landing_file, run_date) values (?, 'gh', ?, 'h', 'ML Engineer', ?, 'f.json', date '2025-01-01')",
            [f"gh:{i}", str(i), f"Build models, version {i}. " * 200],
        )
    con.execute("delete from raw.postings where posting_key = 'gh:2'")
    # (content_hash: another one-off migration recomputes the hand-written 'h')
    rows = "select * exclude (content_hash) from raw.postings order by rowid"
    before = con.execute(rows).fetchall()

    def definition() -> str:
        query = "select sql from duckdb_tables() where schema_name = 'raw' and table_name = 'postings'"
        return con.execute(query).fetchall()[0][0]

    assert "ZSTD" not in definition()
    warehouse.ensure_schema(con, sql_dir)
    assert "rewriting the 5 rows of raw.postings" in caplog.text  # the one slow run says why

    assert "description VARCHAR USING COMPRESSION ZSTD" in definition()
    assert con.execute(rows).fetchall() == before
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into raw.postings (posting_key) values ('gh:9')")
    con.execute(
        "insert into raw.postings (posting_key, source, source_id, content_hash, description, landing_file, "
        "run_date) values ('gh:7', 'gh', '7', 'h', 'More text', 'g.json', date '2025-01-02')"
    )
    assert con.execute("select count(*) from raw.postings where loaded_at is null").fetchall() == [(0,)]
    con.close()
    con = duckdb.connect(path)  # closing checkpointed: the column's segments are on disk
    stored = con.execute(
        "select distinct compression from pragma_storage_info('raw.postings') "
        "where column_name = 'description' and segment_type = 'VARCHAR'"
    ).fetchall()
    assert stored == [("ZSTD",)]
    caplog.clear()
    warehouse.ensure_schema(con, sql_dir)  # a second run changes nothing
    assert con.execute("select count(*) from raw.postings").fetchall() == [(len(before) + 1,)]
    assert "raw.postings" not in caplog.text


def test_a_warehouse_of_an_older_storage_version_keeps_working_without_zstd(tmp_path: Path) -> None:
    """A file created by DuckDB before storage version 1.2.0 refuses ``USING COMPRESSION zstd`` (even in
    a ``create table if not exists`` of a table it has): the schema is made and kept without it."""
    sql_dir = Path(__file__).resolve().parents[3] / "sql"
    path = str(tmp_path / "v1.duckdb")
    con = duckdb.connect(path, config={"storage_compatibility_version": "v1.0.0"})
    with pytest.raises(duckdb.BinderException):  # what the plain DDL would meet
        con.execute("create table t (a varchar using compression zstd)")
    warehouse.ensure_schema(con, sql_dir)
    con.execute(
        "insert into raw.postings (posting_key, source, source_id, content_hash, description, landing_file, "
        "run_date) values ('gh:1', 'gh', '1', 'h', 'Build models.', 'f.json', date '2025-01-01')"
    )
    con.close()
    con = duckdb.connect(path)  # the file keeps its storage version
    warehouse.ensure_schema(con, sql_dir)
    assert con.execute("select description from raw.postings").fetchall() == [("Build models.",)]
    query = "select sql from duckdb_tables() where schema_name = 'raw' and table_name = 'postings'"
    assert "ZSTD" not in con.execute(query).fetchall()[0][0]


def test_unnormalised_rows_are_those_of_the_anti_join_wherever_they_lie(tmp_path: Path) -> None:
    """The rowid span bounds the scan only: rows normalised before, between and after the pending ones,
    a new version of a normalised posting and a row normalised under another taxonomy all come out right."""
    sql_dir = Path(__file__).resolve().parents[3] / "sql"
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.ensure_schema(con, sql_dir)
    raw = [(f"gh:{i}", "h1") for i in range(10)] + [("gh:3", "h2")]
    for key, content in raw:
        con.execute(
            "insert into raw.postings (posting_key, source, source_id, content_hash, title, description, "
            "landing_file, run_date) values (?, 'gh', ?, ?, 'ML Engineer', 'text', 'f.json', date '2025-01-01')",
            [key, key[3:], content],
        )
    done = {("gh:0", "h1", "2"), ("gh:1", "h1", "2"), ("gh:3", "h1", "2"), ("gh:4", "h1", "1")}
    done |= {("gh:7", "h1", "2"), ("gh:9", "h1", "2")}
    for key, content, version in sorted(done):
        con.execute(
            "insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, "
            "is_ai_role) values (?, ?, ?, 'ml_engineer', 'mid', true)",
            [key, content, version],
        )
    expected = {
        ("gh:2", "h1"),
        ("gh:4", "h1"),
        ("gh:5", "h1"),
        ("gh:6", "h1"),
        ("gh:8", "h1"),
        ("gh:3", "h2"),
    }

    found = warehouse.find_unnormalised(con, "2")
    assert found.rows == len(expected) == warehouse.count_unnormalised(con, "2")
    rows = [
        (r["posting_key"], r["content_hash"])
        for t in warehouse.iter_unnormalised(con, "2", 4, found)
        for r in t.select(["posting_key", "content_hash"]).to_pylist()
    ]
    assert sorted(rows) == sorted(expected)
    assert [t.num_rows for t in warehouse.iter_unnormalised(con, "2", 4)] == [4, 2]

    con.execute("insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, "
                "is_ai_role) select posting_key, content_hash, '2', 'x', 'mid', false from raw.postings "
                "anti join normalised.postings using (posting_key, content_hash)")  # fmt: skip
    con.execute("insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, "
                "is_ai_role) values ('gh:4', 'h1', '2', 'x', 'mid', false)")  # fmt: skip
    nothing = warehouse.find_unnormalised(con, "2")
    assert (nothing.rows, nothing.first_rowid, nothing.last_rowid) == (0, None, None)
    assert list(warehouse.iter_unnormalised(con, "2", 4, nothing)) == []


def test_memory_limit_bounds_duckdb_and_empty_keeps_the_default(tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        default = con.execute("select current_setting('memory_limit')").fetchone()
        warehouse.set_memory_limit(con, "")
        assert con.execute("select current_setting('memory_limit')").fetchone() == default
        warehouse.set_memory_limit(con, "1.5GB")
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("1.3 GiB",)


@pytest.mark.parametrize(("chunk_rows", "batch_rows"), [(4, 3), (4, 4), (5, 2), (100, 7), (1, 64)])
def test_unnormalised_rows_come_in_exact_chunks_in_table_order(
    tmp_path: Path, chunk_rows: int, batch_rows: int
) -> None:
    """Lazy chunks of small batches, and whole tables: every row to normalise once, in the table's order,
    cut into chunks of exactly ``chunk_rows`` rows (the last may be shorter)."""
    sql_dir = Path(__file__).resolve().parents[3] / "sql"
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.ensure_schema(con, sql_dir)
    for i in range(17):
        con.execute(
            "insert into raw.postings (posting_key, source, source_id, content_hash, title, description, "
            "landing_file, run_date) values (?, 'gh', ?, 'h1', 'ML Engineer', ?, 'f.json', date '2025-01-01')",
            [f"gh:{i}", str(i), f"text {i}"],
        )
    con.execute(
        "insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, "
        "is_ai_role) values ('gh:5', 'h1', '2', 'x', 'mid', false), ('gh:11', 'h1', '2', 'x', 'mid', false)"
    )
    keys = [f"gh:{i}" for i in range(17) if i not in (5, 11)]
    sizes = [min(chunk_rows, len(keys) - start) for start in range(0, len(keys), chunk_rows)]
    found = warehouse.find_unnormalised(con, "2")
    streams = []
    for chunk in warehouse.iter_unnormalised_streams(con, "2", chunk_rows, found, batch_rows=batch_rows):
        batches = list(chunk)
        assert all(0 < b.num_rows <= batch_rows for b in batches)
        streams.append(pa.Table.from_batches(batches))
    tables = list(warehouse.iter_unnormalised(con, "2", chunk_rows, found))
    for chunks in (streams, tables):
        assert [t.num_rows for t in chunks] == sizes
        assert [k for t in chunks for k in t["posting_key"].to_pylist()] == keys
        assert [d for t in chunks for d in t["description"].to_pylist()] == [f"text {k[3:]}" for k in keys]
    nothing = warehouse.Unnormalised(0, None, None)
    assert list(warehouse.iter_unnormalised_streams(con, "2", chunk_rows, nothing)) == []
    assert list(warehouse.iter_unnormalised(con, "2", chunk_rows, nothing)) == []


def _row_groups(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(distinct row_group_id) from pragma_storage_info('{table}')").fetchall()[
        0
    ][0]


@pytest.mark.parametrize("enabled", [False, True])
def test_vacuum_on_commit_decides_whether_the_checkpoint_merges_row_groups(
    tmp_path: Path, enabled: bool
) -> None:
    rows = 3 * warehouse.ROW_GROUP_ROWS
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema intermediate")
        con.execute(f"create table intermediate.t as select range as i from range({rows})")
        con.execute("checkpoint")
        assert _row_groups(con, "intermediate.t") == 3
        (before,) = con.execute("select current_setting('max_vacuum_tasks')").fetchall()[0]
        with warehouse.vacuum_on_commit(con, enabled):
            with warehouse.transaction(con):
                con.execute("delete from intermediate.t where i % 4 <> 0")  # a quarter left: one row group
            con.execute("checkpoint")
        assert con.execute("select current_setting('max_vacuum_tasks')").fetchall()[0][0] == before
        assert _row_groups(con, "intermediate.t") == (1 if enabled else 3)
        assert con.execute("select count(*), sum(i % 4) from intermediate.t").fetchall() == [(rows // 4, 0)]
        assert warehouse.needs_vacuum(con, ["intermediate.t"]) is not enabled


def test_needs_vacuum_on_fragmented_tables_only(tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema s")
        con.execute(f"create table s.compact as select range as i from range({2 * warehouse.ROW_GROUP_ROWS})")
        con.execute("create table s.small as select range as i from range(10)")
        con.execute("checkpoint")
        assert not warehouse.needs_vacuum(con, ["s.compact", "s.small", "s.missing"])
        # rows deleted all over, as an incremental build does: three row groups for rows that fit in one
        con.execute(f"create table s.frayed as select range as i from range({3 * warehouse.ROW_GROUP_ROWS})")
        con.execute("checkpoint")
        with warehouse.vacuum_on_commit(con, False):
            con.execute("delete from s.frayed where i % 10 <> 0")
            con.execute("checkpoint")
        assert warehouse.needs_vacuum(con, ["s.compact", "s.frayed"])


def test_a_writer_leaves_the_vacuum_to_the_build(tmp_path: Path) -> None:
    """Rows deleted all over a table by one writer are not merged by the next writer's checkpoints (the
    next night's load would pay for it); the build's check finds the table without being told its name."""
    path = tmp_path / "w.duckdb"
    with warehouse.connect(path) as con:
        con.execute("create schema s")
        con.execute(f"create table s.t as select range as i from range({3 * warehouse.ROW_GROUP_ROWS})")
        con.execute("create table s.other (i integer)")
        con.execute("checkpoint")
        con.execute("delete from s.t where i % 10 <> 0")
        con.execute("checkpoint")
    with warehouse.connect(path) as con:
        con.execute("insert into s.other values (1)")
        con.execute("checkpoint")
        assert _row_groups(con, "s.t") == 3
        assert warehouse.needs_vacuum(con)
        with warehouse.vacuum_on_commit(con, True):
            with warehouse.transaction(con):
                con.execute("insert into s.other values (2)")
            con.execute("checkpoint")
        assert _row_groups(con, "s.t") == 1
        assert not warehouse.needs_vacuum(con)
        assert con.execute("select count(*), sum(i % 10) from s.t").fetchall() == [
            (3 * warehouse.ROW_GROUP_ROWS // 10, 0)
        ]
    with warehouse.connect(path, read_only=True) as con:
        assert _row_groups(con, "s.t") == 1


def test_a_model_failing_inside_a_transaction_is_the_error_reported(tmp_path: Path) -> None:
    """The failure aborts the transaction; restoring the build settings afterwards (which then fails too)
    must not replace the model's error with DuckDB's "transaction is aborted"."""
    sql = _make_sql_dir(tmp_path, {"b_broken": "select cast('not a number' as integer) as n from range(3)"})
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_schema(con, sql)
        warehouse.build_layers(con, sql)
        failing = pytest.raises(warehouse.WarehouseError, match=r"building marts\.b_broken .*not a number")
        with failing, warehouse.transaction(con):
            warehouse.build_marts(con, sql)
        failing = pytest.raises(duckdb.ConversionException, match="not a number")
        with failing, warehouse.transaction(con), warehouse.vacuum_on_commit(con, enabled=False):
            con.execute("select cast('not a number' as integer)")


def test_build_temp_tables_no_mart_reads_are_freed_after_the_layers(tmp_path: Path) -> None:
    sql = _make_sql_dir(tmp_path, {"a_copy": "select r from intermediate.int_draws"})
    (sql / "staging" / "stg_numbers.sql").write_text(
        "-- materialized: view\n-- build: temp table (int_doubled reads it)\nselect range as n from range(5)"
    )
    (sql / "intermediate" / "int_draws.sql").write_text(
        "-- materialized: view\n-- build: temp table (a mart reads it)\nselect n, random() as r from intermediate.int_doubled"
    )
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_schema(con, sql)
        warehouse.build_layers(con, sql)
        temp = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where temporary").fetchall()
        }
        assert temp == {warehouse.BUILD_CACHE_PREFIX + "intermediate__int_draws"}
        warehouse.publish_marts(con, warehouse.build_marts(con, sql))
        assert con.execute("select count(*) from marts.a_copy").fetchone()[0] == 5
        assert con.execute("select sum(n) from intermediate.int_doubled").fetchone()[0] == 20


def _estimated_join_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """DuckDB's estimate of the rows of a self-join of ``table`` on its ``role`` column."""
    sql = f"select count(*) from {table} as a join {table} as b on a.role = b.role"
    node = json.loads(con.execute(f"explain (format json) {sql}").fetchall()[0][1])[0]
    while node["name"] != "HASH_JOIN":
        node = node["children"][0]
    return int(node["extra_info"]["Estimated Cardinality"])


def test_tables_built_inside_the_build_transaction_give_the_optimizer_their_statistics(
    tmp_path: Path,
) -> None:
    """Uncommitted rows have no distinct-value counts: without them DuckDB takes a 3-value column for a
    key and a 30,000 x 30,000 join on it for 30,000 rows (at 3M postings such a misestimate planned the
    salary mart into a spill that filled the disk)."""
    sql = _make_sql_dir(tmp_path, {"b_cached": "select distinct role from intermediate.int_cached"})
    (sql / "intermediate" / "int_roles.sql").write_text(
        "select range as n, ['a', 'b', 'c'][range % 3 + 1] as role from range(30000)"
    )
    (sql / "intermediate" / "int_cached.sql").write_text(
        "-- materialized: view\n-- build: temp table (a mart reads it)\nselect * from intermediate.int_roles"
    )
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_schema(con, sql)
        with warehouse.transaction(con) as tx:
            warehouse.build_layers(con, sql)
            exact = 3 * 10_000 * 10_000
            assert _estimated_join_rows(con, "intermediate.int_roles") >= exact // 2
            cache = warehouse.BUILD_CACHE_PREFIX + "intermediate__int_cached"
            assert _estimated_join_rows(con, cache) >= exact // 2
            tx.rollback()


def test_registered_tables_are_readable_inside_the_block_only_and_its_error_is_the_one_reported(
    tmp_path: Path,
) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        a, b = pa.table({"x": [1, 2]}), pa.table({"y": ["p"]})
        with warehouse.registered(con, _t_a=a, _t_b=b):
            assert con.execute("select sum(x), (select y from _t_b) from _t_a").fetchall() == [(3, "p")]
        for name in ("_t_a", "_t_b"):
            with pytest.raises(duckdb.CatalogException):
                con.execute(f"select * from {name}")

        # a failing statement aborts the transaction, where unregistering fails too: the statement's
        # error is the one raised, and the names are free again once the transaction has ended
        con.execute("begin")
        with pytest.raises(duckdb.ConversionException), warehouse.registered(con, _t_a=a):
            con.execute("select 'not a number'::int from _t_a").fetchall()
        con.execute("rollback")
        with warehouse.registered(con, _t_a=pa.table({"x": [5]})):
            assert con.execute("select sum(x) from _t_a").fetchall() == [(5,)]
