"""The dedup step's state changes in one transaction: a crash in the middle leaves the state of before."""

from __future__ import annotations

from typing import Any

import pytest

from jobtrends import marts

from .conftest import SQL_DIR

DESC = (
    "We are looking for a machine learning engineer to build ranking models for our search product, "
    "working with PyTorch, Spark and Kubernetes across a team of twelve engineers in Berlin."
)


class Killed(BaseException):
    """Stands for kill -9 at one statement (not an Exception: nothing may swallow it)."""


class KillAt:
    """A connection that dies on the first statement containing ``marker``."""

    def __init__(self, con: Any, marker: str) -> None:
        self._con, self._marker = con, marker

    def execute(self, sql: str, *args: Any) -> Any:
        if self._marker in sql:
            raise Killed(sql)
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _state(given) -> dict[str, list]:
    return {
        t: given.rows(f"select * exclude (computed_at) from normalised.{t} order by all")
        if t != "dedup_processed"
        else given.rows(
            "select posting_key, content_hash, block_key from normalised.dedup_processed order by all"
        )
        for t in ("dedup_keys", "near_duplicates", "dedup_processed")
    }


@pytest.mark.parametrize(
    "marker",
    ["delete from normalised.dedup_processed", "delete from normalised.near_duplicates where block_key"],
)
def test_a_crash_inside_the_dedup_step_changes_nothing(given, marker: str) -> None:
    given.posting("gh:d", posted="2025-02-01", company="Acme (Sample Co.)", title_clean="a", description=DESC)
    given.posting(
        "ws:e", posted="2025-02-03", company="Acme", title_clean="c", description=DESC + " Apply now."
    )
    assert given.build()["dedup"]["near_duplicates_total"] == 1
    # a key written by an older rule and no pairs found under it: the next step must recompare
    given.con.execute(
        "update normalised.dedup_keys set key = 'acme sample co' where raw_value = 'Acme (Sample Co.)'"
    )
    given.con.execute("delete from normalised.near_duplicates")
    before = _state(given)

    with pytest.raises(Killed):
        marts.compute_dedup_inputs(KillAt(given.con, marker), SQL_DIR)
    assert _state(given) == before

    rerun = marts.compute_dedup_inputs(given.con, SQL_DIR)
    assert (rerun["new_keys"], rerun["near_duplicates_total"]) == (1, 1)
