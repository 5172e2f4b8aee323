"""Quarantine excludes, publishing continues: the validate → build → publish step on small warehouses.

A row failing a row-level critical check is quarantined and left out of the marts while the rest is
published; a structural failure, or too large a quarantined share of the new batch, blocks publishing;
a fix brings a quarantined row back; a rejected build leaves staging and intermediate as published.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jobtrends import pipeline, warehouse
from jobtrends.settings import load_settings

from .conftest import REPO_ROOT, TAXONOMY, build_settings

MONTH = "2025-12-01"
NEW_POSTINGS = (
    "select coalesce(sum(new_postings), 0) as n from marts.agg_title_growth where period_grain = 'month' "
    "and period_start = ? and role = 'ai_ml_engineer' and seniority = 'all' and country = 'all'"
)
PUBLISHED_LINEAGE = (
    "staging.stg_listings",
    "staging.stg_settings",
    "intermediate.int_calendar",
    "intermediate.int_posting_facts",
    "marts_next.agg_title_growth",
    "marts.agg_title_growth",
    "marts.claims",
)


@pytest.fixture()
def wh(tmp_path: Path, given):
    """``given`` on the warehouse file of settings that :func:`pipeline.build` opens."""
    given.settings = build_settings(tmp_path)
    return given


def _good(given, prefix: str, n: int, posted: str = "2025-06-10") -> None:
    for i in range(n):
        given.posting(
            f"{prefix}:{i}", posted=posted, company=f"Co{prefix}{i}", title_clean=f"ml engineer {prefix} {i}"
        )


def _build(given, **kwargs):
    given.load()
    return pipeline.build(given.settings, **kwargs)


def _published(given) -> dict[str, tuple[int, str]]:
    return {t: warehouse.table_fingerprint(given.con, t) for t in PUBLISHED_LINEAGE}


def _quarantine(given) -> list[dict]:
    return given.rows(
        "select run_id, layer, posting_key, content_hash, check_name, reason, record, released_run_id "
        "from ops.quarantine where stage = 'validate' order by posting_key, check_name"
    )


@pytest.fixture()
def published(wh):
    """A published build of 20 good postings, then the finding: a two-row import, one paying $5M–$6M."""
    _good(wh, "base", 20)
    _build(wh, run_id="run-1")
    wh.posting("tiny:1", posted=MONTH, company="Acme Robotics", pay=(150_000, 180_000))
    wh.posting("tiny:2", posted=MONTH, company="Bigco Labs", pay=(5_000_000, 6_000_000))
    return wh


def test_a_row_failing_a_row_level_check_is_quarantined_and_the_rest_published(published):
    out = _build(published, run_id="run-2")

    assert out["validation"]["marts"]["status"] == "published"
    assert published.one(NEW_POSTINGS, [MONTH]) == {"n": 1}  # tiny:1 only
    facts = {
        r["posting_key"] for r in published.rows("select posting_key from intermediate.int_posting_facts")
    }
    assert "tiny:1" in facts and "tiny:2" not in facts
    rows = _quarantine(published)
    assert {(r["posting_key"], r["layer"], r["run_id"], r["content_hash"]) for r in rows} == {
        ("tiny:2", "normalised", "run-2", "h1")
    }
    assert {r["reason"] for r in rows} == {
        "annual_min_usd outside 5k–2M USD",
        "annual_max_usd outside 5k–2M USD",
    }
    assert {r["check_name"] for r in rows} == {
        "expect_column_values_to_be_between(annual_min_usd)",
        "expect_column_values_to_be_between(annual_max_usd)",
    }
    assert all("5000000" in r["record"] for r in rows)  # the record itself is kept
    assert out["quarantined_rows"] == {"raw": 0, "normalised": 1}


def test_the_next_runs_keep_publishing_and_quarantine_the_row_once(published):
    _build(published, run_id="run-2")
    _good(published, "later", 3, posted="2025-12-05")
    out = _build(published, run_id="run-3")

    assert out["validation"]["marts"]["status"] == "published"
    assert published.one(NEW_POSTINGS, [MONTH])["n"] == 4
    assert {r["run_id"] for r in _quarantine(published)} == {"run-2"}  # still excluded, not re-added
    assert len(_quarantine(published)) == 2


def test_a_rule_fix_brings_the_quarantined_row_back(published, tmp_path):
    _build(published, run_id="run-2")
    relaxed = tmp_path / "expectations"
    shutil.copytree(REPO_ROOT / "expectations", relaxed, ignore=shutil.ignore_patterns("__pycache__"))
    normalised = relaxed / "normalised.py"
    normalised.write_text(
        normalised.read_text().replace("MAX_ANNUAL_USD = 2_000_000.0", "MAX_ANNUAL_USD = 1e7")
    )
    published.settings = published.settings.with_overrides(expectations_dir=relaxed)

    # nothing new arrived: a changed suite validates the whole layer again
    out = _build(published, run_id="run-3")

    assert out["validation"]["normalised"]["batches"]["normalised"]["released"] == 2
    assert {r["released_run_id"] for r in _quarantine(published)} == {"run-3"}  # kept, marked released
    assert published.one(NEW_POSTINGS, [MONTH])["n"] == 2
    facts = {
        r["posting_key"] for r in published.rows("select posting_key from intermediate.int_posting_facts")
    }
    assert "tiny:2" in facts


def test_a_corrected_version_of_the_posting_replaces_the_quarantined_one(published):
    _build(published, run_id="run-2")
    # the board fixes its typo: a new content version of the same posting
    published.posting(
        "tiny:2",
        posted=MONTH,
        company="Bigco Labs",
        pay=(150_000, 160_000),
        content_hash="h2",
        fetched="2025-12-03",
    )
    _build(published, run_id="run-3")

    facts = published.one(
        "select normalised_content_hash, annual_max_usd from intermediate.int_posting_facts where posting_key = 'tiny:2'"
    )
    assert facts == {"normalised_content_hash": "h2", "annual_max_usd": 160_000}
    assert published.one(NEW_POSTINGS, [MONTH])["n"] == 2


def test_a_quarantined_share_above_the_limit_blocks_publishing(published):
    _build(published, run_id="run-2")
    before = _published(published)
    # a broken normaliser: 10 of the 40 new rows report an unknown role
    _good(published, "batch", 30, posted="2025-12-06")
    for i in range(10):
        published.posting(
            f"broken:{i}", posted="2025-12-06", company=f"Broken{i}", role="wizard", is_ai=False
        )

    with pytest.raises(pipeline.ValidationFailed) as failed:
        _build(published, run_id="run-3")

    assert failed.value.kind == "quarantine_share"
    assert failed.value.layer == "normalised"
    assert "10 of 40 new normalised rows quarantined (25.00%, above the 1.00% limit" in str(failed.value)
    assert _published(published) == before
    keys = {r["posting_key"] for r in _quarantine(published) if r["run_id"] == "run-3"}
    assert keys == {f"broken:{i}" for i in range(10)}  # kept with the reason, for whoever fixes it

    # the operator accepts this batch: the same rows are judged again, not added twice
    published.settings = published.settings.with_overrides(max_quarantine_share=0.5)
    out = _build(published, run_id="run-4")
    assert out["validation"]["marts"]["status"] == "published"
    assert (
        len([r for r in _quarantine(published) if r["posting_key"].startswith("broken:")]) == 20
    )  # 2 checks
    assert published.one(NEW_POSTINGS, ["2025-12-01"])["n"] == 31


def test_a_small_batch_is_not_judged_by_its_share(published):
    # one bad row in a batch of two is 50%, but two rows are not a rate (fewer than min_base)
    out = _build(published, run_id="run-2")
    assert out["validation"]["normalised"]["batches"]["normalised"]["new_rows"] == 2
    assert out["validation"]["normalised"]["verdict"] == "ok"


def test_a_duplicate_key_across_batches_is_structural(published):
    _build(published, run_id="run-2")
    before = _published(published)
    # the same normalised row version written twice, in different runs
    published.con.execute(
        "insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, is_ai_role) "
        "values ('base:3', 'h1', ?, 'ai_ml_engineer', 'mid', true)",
        [TAXONOMY],
    )
    with pytest.raises(pipeline.ValidationFailed) as failed:
        _build(published, run_id="run-3")
    assert failed.value.kind == "structural"
    assert "duplicate normalised row" in str(failed.value)
    assert _published(published) == before
    assert not [
        r for r in _quarantine(published) if r["run_id"] == "run-3"
    ]  # structural: nothing quarantined


def test_validation_covers_the_new_batch_and_full_covers_everything(published):
    out = _build(published, run_id="run-2")
    normalised = out["validation"]["normalised"]
    assert normalised["rows"] == {"normalised": 2}
    assert normalised["batches"]["normalised"]["full"] is False
    assert out["validation"]["raw"]["rows"] == {"raw": 2}

    out = _build(published, run_id="run-3")  # nothing new: only the quarantined row is checked again
    assert out["validation"]["normalised"]["rows"] == {"normalised": 1}
    assert out["validation"]["raw"]["rows"] == {"raw": 0}

    out = _build(published, run_id="run-4", full=True)
    assert out["validation"]["normalised"]["rows"] == {"normalised": 22}
    assert out["validation"]["raw"]["rows"] == {"raw": 22}
    assert len(_quarantine(published)) == 2  # the full pass finds the same row, once


def test_a_rejected_build_leaves_staging_and_intermediate_as_published(wh):
    _good(wh, "base", 20)
    wh.listing("base", "2025-06-20", "listing-1")
    wh.build(run_id="run-1")
    before = _published(wh)
    _good(wh, "more", 5, posted="2025-09-01")
    wh.listing("more", "2025-09-02", "listing-2")

    out = wh.build(run_id="run-2", validate=lambda con, names: False)

    assert out["status"] == "validation_failed"
    assert _published(wh) == before  # today: staging and intermediate already hold the new rows
    assert wh.one("select count(*) as n from intermediate.int_posting_facts") == {"n": 20}
    # and the next accepted build publishes the whole lineage
    assert wh.build(run_id="run-3")["status"] == "published"
    assert wh.one("select count(*) as n from intermediate.int_posting_facts") == {"n": 25}


def test_a_build_that_fails_midway_leaves_the_published_lineage(wh, monkeypatch):
    _good(wh, "base", 20)
    wh.build(run_id="run-1")
    before = _published(wh)
    _good(wh, "more", 5, posted="2025-09-01")

    def broken(con, sql_dir, **_kwargs):
        raise warehouse.WarehouseError("building marts.claims failed: boom")

    monkeypatch.setattr(warehouse, "build_marts", broken)
    with pytest.raises(warehouse.WarehouseError):
        wh.build(run_id="run-2")
    assert _published(wh) == before


def test_a_query_failing_inside_the_build_rejects_it_cleanly(wh):
    # a claim whose SQL fails aborts the build's transaction: the build is rejected, not crashed
    _good(wh, "base", 20)
    wh.build(run_id="run-1")
    before = _published(wh)
    _good(wh, "more", 5, posted="2025-09-01")

    def failing_claim(con, names):
        with pytest.raises(Exception, match="no_such_mart"):
            con.execute("select value from marts_next.no_such_mart").fetchall()
        return False

    out = wh.build(run_id="run-2", validate=failing_claim)
    assert out["status"] == "validation_failed"
    assert _published(wh) == before


def test_a_normaliser_fix_under_a_new_version_brings_the_posting_back(published):
    _build(published, run_id="run-2")
    # a fixed pay parser ships with a new normaliser version: every row is normalised again, the one in
    # quarantine now with a sane pay (its old row stays in quarantine, under the old version)
    published.con.execute(
        "insert into normalised.postings select * replace ('test-v2' as taxonomy_version, "
        "case when posting_key = 'tiny:2' then 150000 else annual_min_usd end as annual_min_usd, "
        "case when posting_key = 'tiny:2' then 170000 else annual_max_usd end as annual_max_usd, "
        "current_timestamp as normalised_at) from normalised.postings"
    )
    published.settings = published.settings.with_overrides(taxonomy_version="test-v2")

    out = _build(published, run_id="run-3")

    assert out["validation"]["normalised"]["batches"]["normalised"]["quarantined_new"] == 0
    facts = published.one(
        "select taxonomy_version, annual_max_usd from intermediate.int_posting_facts where posting_key = 'tiny:2'"
    )
    assert facts == {"taxonomy_version": "test-v2", "annual_max_usd": 170_000}
    assert published.one(NEW_POSTINGS, [MONTH])["n"] == 2


def test_the_share_limit_is_a_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("JOBTRENDS_MAX_QUARANTINE_SHARE", "0.05")
    assert load_settings(tmp_path).max_quarantine_share == 0.05
    monkeypatch.delenv("JOBTRENDS_MAX_QUARANTINE_SHARE")
    assert load_settings(tmp_path).max_quarantine_share == 0.01


@pytest.mark.parametrize(
    ("new_rows", "bad", "table_rows", "excluded", "kind"),
    [
        (1000, 10, 5000, 10, "ok"),  # exactly 1%: not above the limit
        (1000, 11, 5000, 11, "quarantine_share"),
        (29, 29, 5000, 29, "ok"),  # fewer than min_base new rows: not a rate
        (30, 1, 5000, 1, "quarantine_share"),
        (0, 0, 0, 0, "structural"),  # an empty layer
        (40, 0, 40, 40, "structural"),  # every row of the layer excluded
    ],
)
def test_verdict(new_rows, bad, table_rows, excluded, kind):
    from jobtrends.quality import BatchInfo, ValidationOutcome

    outcome = ValidationOutcome(layer="normalised", run_id="r")
    outcome.batches["normalised"] = BatchInfo(
        layer="normalised",
        full=False,
        since=None,
        suite_hash="x",
        new_rows=new_rows,
        quarantined_new=bad,
        table_rows=table_rows,
        excluded_rows=excluded,
    )
    assert outcome.verdict(max_share=0.01, min_rows=30).kind == kind
