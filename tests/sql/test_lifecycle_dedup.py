"""Lifecycle (close / reopen, active counts) and the three dedup tiers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jobtrends import marts
from jobtrends.settings import PROJECT_ROOT

A_DESC = (
    "Acme is hiring a machine learning engineer for search ranking. You will train ranking models in PyTorch, "
    "own offline and online evaluation, improve feature freshness and mentor engineers. We look for four years "
    "of production machine learning, strong Python and distributed training experience."
)
A_DESC_REPOST = A_DESC.replace("four years", "4+ years") + " Requisition 48213, posted March 2025."
OTHER_DESC = (
    "Acme is hiring a data engineer for the finance platform. You will build batch and streaming pipelines, "
    "model data in dbt and Snowflake and set up data quality checks with analysts and accountants."
)


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s + "T12:00:00").replace(tzinfo=UTC)


def test_close_and_reopen(given):
    for key in ("gh:1", "gh:2"):
        given.posting(key, posted=None, fetched="2025-01-01", title_clean=f"t {key}")
    given.posting("gh:3", posted=None, fetched="2025-01-01", board="other", title_clean="t3")
    # L1 shows 1, 2 | L2 (complete) only 2 -> 1 closed | L3 shows 1, 2 -> 1 reopened | L4 only 1 -> 2 closed
    given.listing("gh", "2025-01-01", "L1").sighting("gh:1", "2025-01-01", "L1").sighting(
        "gh:2", "2025-01-01", "L1"
    )
    given.listing("gh", "2025-01-08", "L2").sighting("gh:2", "2025-01-08", "L2")
    given.listing("gh", "2025-01-15", "L3").sighting("gh:1", "2025-01-15", "L3").sighting(
        "gh:2", "2025-01-15", "L3"
    )
    given.listing("gh", "2025-01-22", "L4").sighting("gh:1", "2025-01-22", "L4")
    # an incomplete listing without gh:1 closes nothing
    given.listing("gh", "2025-01-29", "L5", complete=False)
    given.sighting("gh:3", "2025-01-02", "O1", board="other")
    given.build()
    life = {r["posting_key"]: r for r in given.rows("select * from intermediate.int_posting_lifecycle")}
    assert life["gh:1"]["closed_at"] is None and life["gh:1"]["is_closed"] is False
    assert life["gh:1"]["last_seen_at"] == _ts("2025-01-22")
    assert life["gh:2"]["closed_at"] == _ts("2025-01-22") and life["gh:2"]["last_seen_at"] == _ts(
        "2025-01-15"
    )
    assert life["gh:3"]["closed_at"] is None  # other board: acme's complete listings do not close it
    post = {r["posting_key"]: r for r in given.rows("select * from intermediate.int_postings")}
    assert post["gh:1"]["new_date"] == date(2025, 1, 1)
    assert post["gh:1"]["active_to_date"] == date(
        2025, 1, 29
    )  # open: listed through the last fetch of its board
    assert post["gh:2"]["active_to_date"] == date(2025, 1, 15)  # closed: last seen
    # weekly active counts: week of 2025-01-20 has gh:1 only (gh:2 last seen on the 15th)
    week = given.one(
        "select active_postings from marts.agg_title_growth where period_grain = 'week' "
        "and period_start = date '2025-01-20' and role = 'ai_ml_engineer' and seniority = 'all' and country = 'all'"
    )
    assert week["active_postings"] == 1
    jan = given.one(
        "select active_postings, new_postings from marts.agg_title_growth where period_grain = 'month' "
        "and period_start = date '2025-01-01' and role = 'ai_ml_engineer' and seniority = 'all' and country = 'all'"
    )
    assert jan == {"active_postings": 3, "new_postings": 3}


def test_active_spans_empty_months(given):
    given.posting("gh:1", posted="2025-01-05", title_clean="a")
    given.listing("gh", "2025-01-05", "L1").sighting("gh:1", "2025-01-05", "L1")
    given.listing("gh", "2025-03-20", "L2").sighting("gh:1", "2025-03-20", "L2")
    given.build()
    rows = given.rows(
        "select period_start, new_postings, active_postings from marts.agg_title_growth where period_grain = 'month' "
        "and role = 'ai_ml_engineer' and seniority = 'all' and country = 'all' order by period_start"
    )
    assert [(r["period_start"].month, r["new_postings"], r["active_postings"]) for r in rows] == [
        (1, 1, 1),
        (2, 0, 1),
        (3, 0, 1),
    ]


def test_tier1_versions_collapse_and_keep_first_posted(given):
    given.posting(
        "gh:9",
        posted="2025-01-10",
        fetched="2025-01-10",
        content_hash="v1",
        seniority="mid",
        title="ML Engineer",
    )
    given.posting(
        "gh:9",
        posted="2025-01-20",
        fetched="2025-01-20",
        content_hash="v2",
        seniority="senior",
        title="Senior ML Engineer",
    )
    given.build()
    rows = given.rows("select * from intermediate.int_postings")
    assert len(rows) == 1
    row = rows[0]
    assert row["content_hash"] == "v2" and row["seniority"] == "senior"
    assert row["new_date"] == date(2025, 1, 10)
    assert row["dedup_tier"] == 1 and row["unique_role_id"] == "gh:9"


def test_tier2_cross_source_and_repost_window(given):
    given.posting("gh:a", posted="2025-01-10", company="Acme Inc.", title_clean="ML Engineer")
    given.posting("lv:b", posted="2025-01-20", company="ACME", title_clean="ml engineer")
    given.posting("gh:c", posted="2025-06-01", company="Acme", title_clean="ML Engineer")  # > 45 days later
    given.posting("gh:d", posted="2025-01-12", company="Acme", title_clean="ML Engineer", city="Boston")
    given.build()
    post = {r["posting_key"]: r for r in given.rows("select * from intermediate.int_postings")}
    assert post["lv:b"]["unique_role_id"] == "gh:a" and post["lv:b"]["dedup_tier"] == 2
    assert post["gh:a"]["is_canonical"] is True
    assert post["gh:c"]["unique_role_id"] == "gh:c"  # a new opening after the window
    assert post["gh:d"]["unique_role_id"] == "gh:d"  # another city
    ur = {r["unique_role_id"]: r for r in given.rows("select * from intermediate.int_unique_roles")}
    assert set(ur) == {"gh:a", "gh:c", "gh:d"}
    assert ur["gh:a"]["posting_count"] == 2 and ur["gh:a"]["source_count"] == 2


def test_tier2_window_is_a_setting(given):
    given.posting("gh:a", posted="2025-01-10", company="Acme", title_clean="ML Engineer")
    given.posting("gh:b", posted="2025-02-20", company="Acme", title_clean="ML Engineer")  # 41 days later
    given.build(repost_window_days=30)
    post = {r["posting_key"]: r for r in given.rows("select * from intermediate.int_postings")}
    assert post["gh:b"]["unique_role_id"] == "gh:b"


def test_tier3_near_duplicate_descriptions(given):
    given.posting(
        "gh:d",
        posted="2025-02-01",
        company="Acme",
        title_clean="Machine Learning Engineer, Search",
        description=A_DESC,
    )
    given.posting(
        "ws:e",
        posted="2025-02-03",
        company="Acme Inc",
        title_clean="ML Engineer - Search Ranking",
        description=A_DESC_REPOST,
        city="NYC",
    )
    given.posting(
        "ws:f",
        posted="2025-02-03",
        company="Acme",
        title_clean="Data Engineer",
        role="data_engineer",
        description=OTHER_DESC,
    )
    given.posting(
        "gh:g", posted="2025-02-05", company="Globex", title_clean="ML Engineer", description=A_DESC
    )
    summary = given.build()
    assert summary["dedup"]["near_duplicates_total"] == 1
    nd = given.one("select * from normalised.near_duplicates")
    assert (nd["posting_key"], nd["canonical_key"]) == ("ws:e", "gh:d")
    assert nd["similarity"] >= 0.7
    post = {r["posting_key"]: r for r in given.rows("select * from intermediate.int_postings")}
    assert post["ws:e"]["unique_role_id"] == "gh:d" and post["ws:e"]["dedup_tier"] == 3
    assert post["ws:e"]["near_duplicate_of"] == "gh:d"
    assert post["ws:f"]["unique_role_id"] == "ws:f"
    assert post["gh:g"]["unique_role_id"] == "gh:g"  # same text at another company: another block


def test_near_duplicates_are_incremental(given):
    given.posting("gh:d", posted="2025-02-01", company="Acme", title_clean="a", description=A_DESC)
    given.posting("gh:x", posted="2025-02-01", company="Initech", title_clean="b", description=OTHER_DESC)
    first = given.build()
    assert first["dedup"]["blocks_recomputed"] == 2
    again = given.build()
    assert again["dedup"]["blocks_recomputed"] == 0
    assert again["dedup"]["new_keys"] == 0
    given.posting("ws:e", posted="2025-02-03", company="Acme", title_clean="c", description=A_DESC_REPOST)
    third = given.build()
    assert third["dedup"]["blocks_recomputed"] == 1
    assert third["dedup"]["near_duplicates_total"] == 1


def test_a_full_dedup_recomputes_every_block_and_finds_the_same_pairs(given):
    given.posting("gh:d", posted="2025-02-01", company="Acme", title_clean="a", description=A_DESC)
    given.posting("ws:e", posted="2025-02-03", company="Acme", title_clean="c", description=A_DESC_REPOST)
    given.posting("gh:x", posted="2025-02-01", company="Initech", title_clean="b", description=OTHER_DESC)
    given.build()
    before = given.rows("select posting_key, canonical_key from normalised.near_duplicates")
    full = marts.compute_dedup_inputs(given.con, PROJECT_ROOT / "sql", full=True)
    assert full["blocks_recomputed"] == 2
    assert given.rows("select posting_key, canonical_key from normalised.near_duplicates") == before
    assert before == [{"posting_key": "ws:e", "canonical_key": "gh:d"}]


def test_a_new_version_of_a_compared_posting_is_compared_again(given):
    given.posting("gh:d", posted="2025-02-01", company="Acme", title_clean="a", description=A_DESC)
    given.posting("ws:e", posted="2025-02-03", company="Acme", title_clean="c", description=OTHER_DESC)
    assert given.build()["dedup"]["near_duplicates_total"] == 0
    assert given.build()["dedup"]["blocks_recomputed"] == 0  # nothing new: the step skips every block
    # the same posting, edited into a copy of the other one
    given.posting(
        "ws:e", posted="2025-02-03", fetched="2025-02-10", company="Acme", title_clean="c",
        description=A_DESC_REPOST, content_hash="h2",
    )  # fmt: skip
    again = given.build()
    assert again["dedup"]["blocks_recomputed"] == 1
    nd = given.one("select posting_key, canonical_key from normalised.near_duplicates")
    assert (nd["posting_key"], nd["canonical_key"]) == ("ws:e", "gh:d")


@pytest.mark.parametrize("company", [None, ""])
def test_postings_without_company_are_never_merged(given, company):
    given.posting("gh:1", posted="2025-01-10", company=company, title_clean="ML Engineer")
    given.posting("lv:1", posted="2025-01-11", company=company, title_clean="ML Engineer")
    given.build()
    assert given.one("select count(*) as n from intermediate.int_unique_roles")["n"] == 2


def test_only_the_current_taxonomy_version_counts(given):
    given.posting("gh:1", posted="2025-01-10", title_clean="ML Engineer")
    given.posting("gh:2", posted="2025-01-10", title_clean="Data Scientist", role="data_scientist")
    given.load()
    # gh:2 was also classified under an older taxonomy; gh:3 only under the older one
    given.con.execute(
        "insert into normalised.postings (posting_key, content_hash, taxonomy_version, title_clean, role, "
        "seniority, is_ai_role) values ('gh:2', 'h1', 'old', 'x', 'other', 'mid', false)"
    )
    given.posting("gh:3", posted="2025-01-10", title_clean="Prompt Engineer", role="prompt_engineer")
    given.load()
    given.con.execute("update normalised.postings set taxonomy_version = 'old' where posting_key = 'gh:3'")
    given.build()
    rows = {
        r["posting_key"]: r["role"]
        for r in given.rows("select posting_key, role from intermediate.int_postings")
    }
    assert rows == {"gh:1": "ai_ml_engineer", "gh:2": "data_scientist"}
    assert given.one("select taxonomy_version from marts.settings")["taxonomy_version"] == "test-v1"


def test_changed_key_rules_are_applied_everywhere(given):
    given.posting(
        "gh:d", posted="2025-02-01", company="Acme (Sample Co.)", title_clean="a", description=A_DESC
    )
    given.posting("ws:e", posted="2025-02-03", company="Acme", title_clean="c", description=A_DESC_REPOST)
    first = given.build()
    assert first["dedup"]["near_duplicates_total"] == 1
    # a key written by an older rule: the next build corrects it and recompares the moved postings
    given.con.execute(
        "update normalised.dedup_keys set key = 'acme sample co' where raw_value = 'Acme (Sample Co.)'"
    )
    given.con.execute("delete from normalised.near_duplicates")
    again = given.build()
    assert again["dedup"]["new_keys"] == 1
    assert again["dedup"]["near_duplicates_total"] == 1
    key = given.one("select key from normalised.dedup_keys where raw_value = 'Acme (Sample Co.)'")["key"]
    assert key == "acme"
