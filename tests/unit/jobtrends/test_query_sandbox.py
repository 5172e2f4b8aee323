"""``jobtrends query`` is a sandbox: one read statement, as DuckDB's parser sees it, on a connection that
cannot touch files, the network or its own settings. Every bypass is refused with one line (exit 2)
and creates or reads no file."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrends import warehouse
from jobtrends.cli import main

SECRET = "top-secret-marker-4711"


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    data.mkdir()
    with warehouse.connect(data / "warehouse.duckdb") as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select * from (values (1, 'a;--b'), (2, 'c')) v(n, s)")
    secret = tmp_path / "secret.csv"
    secret.write_text(f"col\n{SECRET}\n")
    other_db = tmp_path / "other.duckdb"
    return {"data": data, "secret": secret, "out": tmp_path / "out", "other": other_db, "tmp": tmp_path}


def _query(env: dict[str, Path], sql: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--data-dir", str(env["data"]), "query", sql, "--format", "csv"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


BYPASSES = [
    "copy (select 1) to '{out}'",
    "/**/ copy (select 1) to '{out}'",
    "/* select */ COPY (select 1) TO '{out}' (format csv)",
    "-- a comment\ncopy marts.t to '{out}'",
    "select ';' as a; copy (select 1) to '{out}'",
    "select '--' as a; copy (select 1) to '{out}'",
    "select 1 -- ; \n; copy (select 1) to '{out}'",
    "select 1; select 2",
    "with x as (select 1 as n) copy (select * from x) to '{out}'",
    "export database '{out}'",
    "attach '{other}' as other",
    "attach ':memory:' as m",
    "detach marts",
    "install httpfs",
    "load httpfs",
    "force install httpfs",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset lock_configuration",
    "pragma enable_profiling",
    "pragma threads = 1",
    "call pragma_version()",
    "checkpoint",
    "explain analyze copy (select 1) to '{out}'",
    "prepare p as copy (select 1) to '{out}'",
    "begin transaction",
    "use marts",
    "create table marts.x as select 1",
    "insert into marts.t values (3, 'x')",
    "update marts.t set n = 9",
    "delete from marts.t",
    "drop table marts.t",
    "select * from read_text('{secret}')",
    "select * from read_blob('{secret}')",
    "select * from read_csv('{secret}')",
    "select * from read_csv_auto('{secret}')",
    "select * from '{secret}'",
    "select * from read_parquet('{secret}')",
    "select * from read_json('{secret}')",
    "select * from glob('{tmp}/*')",
    "from read_text('{secret}')",
    "select * from query('copy (select 1) to ''{out}''')",
    "select * from read_text('http://127.0.0.1:9/x')",
    "copy (select 1) to",
    "",
]


@pytest.mark.parametrize("template", BYPASSES)
def test_every_bypass_is_refused_with_one_line_and_touches_no_file(
    template: str, env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    sql = template.format(**{k: str(v) for k, v in env.items()})
    code, out, err = _query(env, sql, capsys)
    assert code == 2, (sql, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jobtrends: error:"), err
    assert SECRET not in out + err
    assert not env["out"].exists()
    assert not env["other"].exists()
    assert not (env["data"] / "warehouse.duckdb.wal").exists()
    # the marts are untouched
    assert warehouse.query(env["data"] / "warehouse.duckdb", "select count(*) from marts.t")[1] == [(2,)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select s from marts.t where n = 1", "a;--b"),
        ("/* a comment */ select s from marts.t where s like '%;--%' -- trailing", "a;--b"),
        ("with x as (select n from marts.t) select count(*) as c from x", "2"),
        ("from marts.t select max(n) as m;", "2"),
        ("describe marts.t", "VARCHAR"),
        ("select 'copy (select 1) to ''x''' as harmless", "copy (select 1) to 'x'"),
    ],
)
def test_read_statements_run(
    sql: str, expected: str, env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _query(env, sql, capsys)
    assert code == 0, err
    assert expected in out


def test_the_refusal_names_the_statement_type(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = _query(env, f"/**/ copy (select 1) to '{env['out']}'", capsys)
    assert "COPY" in err
    _, _, err = _query(env, "select 1; select 2", capsys)
    assert "one statement" in err


def test_sandbox_connection_opens_the_warehouse_but_nothing_else(env: dict[str, Path]) -> None:
    db = env["data"] / "warehouse.duckdb"
    with warehouse.connect(db, sandbox=True) as con:
        assert con.execute("select count(*) from marts.t").fetchall() == [(2,)]
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() "
                "where name in ('enable_external_access', 'lock_configuration', 'access_mode')"
            ).fetchall()
        )
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "access_mode": "read_only",
    }


def test_assert_read_only_uses_the_parser_not_the_first_word() -> None:
    for sql in ("/**/ copy (select 1) to 'x.csv'", "(select 1); drop table t", "select 1; vacuum"):
        with pytest.raises(warehouse.WarehouseError):
            warehouse.assert_read_only(sql)
    warehouse.assert_read_only("-- comment\nselect 'drop table t; --' as s")


def test_a_library_caller_holding_the_file_open_still_gets_the_parser_check(env: dict[str, Path]) -> None:
    db = env["data"] / "warehouse.duckdb"
    with warehouse.connect(db, read_only=True):
        assert warehouse.query(db, "select count(*) from marts.t")[1] == [(2,)]
        with pytest.raises(warehouse.WarehouseError, match="refusing a COPY"):
            warehouse.query(db, f"/**/ copy (select 1) to '{env['out']}'")
    assert not env["out"].exists()
