"""warehouse.py: read-only queries, model ordering, atomic publish, fingerprints."""

from __future__ import annotations

from pathlib import Path

import duckdb
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
        with pytest.raises(warehouse.WarehouseError, match="writes"):
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
