"""expectations/drift.py: source volume against its trailing mean, rate collapses, freshness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from jobtrends import quality, warehouse
from jobtrends.settings import PROJECT_ROOT, load_settings

NOW = datetime(2026, 11, 25, 6, tzinfo=UTC)


@pytest.fixture
def wh(tmp_path):
    settings = load_settings(
        tmp_path, sql_dir=PROJECT_ROOT / "sql", expectations_dir=PROJECT_ROOT / "expectations"
    )
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        yield con, settings


def add_runs(con, source: str, volumes: list[int | None], *, status: str = "ok", last_days_ago: float = 0.5):
    """One fetch run per day, oldest first; the last one ``last_days_ago`` days before NOW."""
    for i, postings in enumerate(volumes):
        started = NOW - timedelta(days=last_days_ago + len(volumes) - 1 - i)
        con.execute(
            "insert into ops.source_runs (run_id, source_name, kind, started_at, finished_at, status, postings_seen,"
            " record_file) values (?, ?, 'greenhouse', ?, ?, ?, ?, ?)",
            [
                f"r{i}",
                source,
                started,
                started + timedelta(minutes=1),
                status,
                postings,
                f"{source}-{i}.json",
            ],
        )


def add_postings(con, source: str, run_date: date, n: int, *, classified: float, with_pay: float):
    raw, norm = [], []
    for i in range(n):
        key = f"{source}:{run_date}:{i}"
        raw.append(
            {
                "posting_key": key,
                "source": source,
                "source_id": f"{run_date}:{i}",
                "content_hash": "h",
                "title": "t",
                "fetched_at": NOW,
                "landing_file": "f",
                "run_date": run_date,
            }
        )
        pay = i < n * with_pay
        norm.append(
            {
                "posting_key": key,
                "content_hash": "h",
                "taxonomy_version": "1.0.0",
                "role": "ai_ml_engineer" if i < n * classified else "other",
                "seniority": "mid",
                "is_ai_role": i < n * classified,
                "salary_min": 100.0 if pay else None,
                "salary_max": 120.0 if pay else None,
            }
        )
    warehouse.insert_arrow(con, "raw.postings", pa.Table.from_pylist(raw))
    warehouse.insert_arrow(con, "normalised.postings", pa.Table.from_pylist(norm))


def validate(con, settings, sources=None):
    return quality.validate_layer(
        con, "drift", run_id="t-drift", settings=settings, now=NOW, sources=sources, docs=False
    )


def failed(outcome, *, critical=True):
    return {(r.suite, r.expectation) for r in outcome.results if not r.success and r.critical is critical}


def test_stable_sources_pass(wh):
    con, settings = wh
    add_runs(con, "greenhouse:acme", [100, 104, 98, 101, 99, 103, 100, 97])
    add_runs(con, "lever:beta", [20, 22, 21, 19])
    add_postings(con, "greenhouse", date(2026, 11, 23), 40, classified=0.5, with_pay=0.4)
    add_postings(con, "greenhouse", date(2026, 11, 24), 40, classified=0.55, with_pay=0.35)
    outcome = validate(con, settings)
    assert outcome.success, outcome.summary_line()
    assert not outcome.warnings, [(r.expectation, r.observed_value) for r in outcome.warnings]
    assert outcome.rows == {"drift.volume": 2, "drift.rates": 1, "drift.freshness": 2}


def test_collapsed_source_fails_critically(wh):
    con, settings = wh
    add_runs(con, "greenhouse:acme", [100, 104, 98, 101, 99, 103, 100, 5])
    add_runs(con, "lever:beta", [20, 22, 21, 19])
    outcome = validate(con, settings)
    assert not outcome.success
    assert failed(outcome) == {("drift.volume", "expect_column_values_to_be_between(volume_ratio)[collapse]")}
    assert failed(outcome, critical=False) == {
        ("drift.volume", "expect_column_values_to_be_between(volume_ratio)[band]")
    }
    (collapse,) = outcome.critical_failures
    assert collapse.unexpected_count == 1


def test_dip_within_floor_only_warns(wh):
    con, settings = wh
    add_runs(con, "greenhouse:acme", [100, 104, 98, 101, 40])
    outcome = validate(con, settings)
    assert outcome.success
    assert failed(outcome, critical=False) == {
        ("drift.volume", "expect_column_values_to_be_between(volume_ratio)[band]")
    }


def test_short_history_is_not_judged(wh):
    con, settings = wh
    add_runs(con, "greenhouse:new", [100, 1])  # one previous run: below MIN_HISTORY
    assert validate(con, settings).success


def test_classified_rate_collapse_fails(wh):
    con, settings = wh
    add_postings(con, "greenhouse", date(2026, 11, 23), 40, classified=0.5, with_pay=0.4)
    add_postings(con, "greenhouse", date(2026, 11, 24), 40, classified=0.05, with_pay=0.4)
    outcome = validate(con, settings)
    assert failed(outcome) == {("drift.rates", "expect_column_values_to_be_between(classified_ratio)")}


def test_disclosure_rate_collapse_warns(wh):
    con, settings = wh
    add_postings(con, "greenhouse", date(2026, 11, 23), 40, classified=0.5, with_pay=0.5)
    add_postings(con, "greenhouse", date(2026, 11, 24), 40, classified=0.5, with_pay=0.1)
    outcome = validate(con, settings)
    assert outcome.success
    assert failed(outcome, critical=False) == {
        ("drift.rates", "expect_column_values_to_be_between(disclosure_ratio)")
    }


def test_small_batches_are_not_compared(wh):
    con, settings = wh
    add_postings(con, "greenhouse", date(2026, 11, 23), 10, classified=0.5, with_pay=0.5)
    add_postings(con, "greenhouse", date(2026, 11, 24), 10, classified=0.0, with_pay=0.0)
    assert validate(con, settings).success  # below min_base (30): noise, not drift


def test_stale_and_never_fetched_sources_warn(wh):
    con, settings = wh
    add_runs(con, "greenhouse:acme", [100, 100, 100], last_days_ago=10)
    add_runs(con, "lever:beta", [20], status="failed")
    outcome = validate(con, settings, sources=["greenhouse:acme", "lever:beta", "ashby:gamma"])
    assert outcome.success
    assert failed(outcome, critical=False) == {
        ("drift.freshness", "expect_column_values_to_not_be_null(days_since_ok)"),
        ("drift.freshness", "expect_column_values_to_be_between(days_since_ok)"),
    }
    by_name = {r.expectation: r for r in outcome.warnings}
    assert by_name["expect_column_values_to_not_be_null(days_since_ok)"].unexpected_count == 2
    assert by_name["expect_column_values_to_be_between(days_since_ok)"].unexpected_count == 1
