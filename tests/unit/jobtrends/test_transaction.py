"""warehouse.transaction: the one place that begins, commits and rolls back."""

from __future__ import annotations

import duckdb
import pytest

from jobtrends import warehouse


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("create table t (n integer)")
    yield c
    c.close()


def _rows(c) -> list[int]:
    return [r[0] for r in c.execute("select n from t order by n").fetchall()]


def test_a_block_that_ends_commits(con):
    with warehouse.transaction(con):
        con.execute("insert into t values (1), (2)")
    assert _rows(con) == [1, 2]
    con.execute("begin transaction")  # none left open: a new one can begin
    con.execute("rollback")


def test_an_error_rolls_back_and_propagates(con):
    with pytest.raises(ValueError, match="boom"), warehouse.transaction(con):
        con.execute("insert into t values (1)")
        raise ValueError("boom")
    assert _rows(con) == []


def test_a_failed_statement_rolls_back_with_the_statement_error(con):
    with pytest.raises(duckdb.Error, match="no_such_table"), warehouse.transaction(con):
        con.execute("insert into t values (1)")
        con.execute("select * from no_such_table")
    assert _rows(con) == []


def test_an_early_rollback_commits_nothing_and_allows_writes_after(con):
    with warehouse.transaction(con) as tx:
        con.execute("insert into t values (1)")
        tx.rollback()
        con.execute("insert into t values (9)")  # outside the transaction: autocommitted
    assert _rows(con) == [9]


def test_in_transaction_returns_the_result(con):
    assert warehouse.in_transaction(con, lambda c: c.execute("insert into t values (3)").fetchall()) == [(1,)]
    assert _rows(con) == [3]
    with pytest.raises(ZeroDivisionError):
        warehouse.in_transaction(con, lambda c: (c.execute("insert into t values (4)"), 1 / 0))
    assert _rows(con) == [3]


def test_restart_transaction_gives_the_caller_a_clean_one(con):
    with warehouse.transaction(con):
        con.execute("insert into t values (1)")
        with pytest.raises(duckdb.Error):
            con.execute("select * from no_such_table")
        warehouse.restart_transaction(con)  # the aborted work is gone; the block goes on
        con.execute("insert into t values (2)")
    assert _rows(con) == [2]
