"""expectations/raw.py: a clean raw batch passes; each kind of defect fails the right expectation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from jobtrends import quality, warehouse
from jobtrends.settings import PROJECT_ROOT, load_settings

FETCHED = datetime(2026, 11, 1, 6, tzinfo=UTC)


@pytest.fixture
def wh(tmp_path):
    settings = load_settings(
        tmp_path, sql_dir=PROJECT_ROOT / "sql", expectations_dir=PROJECT_ROOT / "expectations"
    )
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        yield con, settings


def raw_rows(n: int = 40) -> list[dict]:
    return [
        {
            "posting_key": f"greenhouse:{i}",
            "source": "greenhouse",
            "source_id": str(i),
            "content_hash": f"h{i}",
            "title": f"Machine Learning Engineer {i}",
            "description": "Build and ship models. " * 20,
            "posted_at": FETCHED - timedelta(days=i % 20),
            "fetched_at": FETCHED,
            "landing_file": "landing/greenhouse/dt=2026-11-01/acme.json",
            "run_date": date(2026, 11, 1),
        }
        for i in range(n)
    ]


def validate(con, settings, rows):
    warehouse.insert_arrow(con, "raw.postings", pa.Table.from_pylist(rows))
    return quality.validate_layer(con, "raw", run_id="t-raw", settings=settings, docs=False)


def failed(outcome, *, critical=True):
    return {r.expectation for r in outcome.results if not r.success and r.critical is critical}


def test_suite_is_tagged():
    settings = load_settings()
    suite = quality.load_expectations(settings, "raw").build_suite(min_base=settings.min_base)
    assert len(suite.expectations) >= 10
    assert all(e.meta["severity"] in ("critical", "warning") and e.meta["reason"] for e in suite.expectations)


def test_clean_raw_batch_passes(wh):
    con, settings = wh
    outcome = validate(con, settings, raw_rows())
    assert outcome.success, outcome.summary_line()
    assert not outcome.warnings
    assert outcome.quarantined == 0
    assert outcome.rows == {"raw": 40}


def _null_title(rows):
    rows[3]["title"] = None


def _blank_title(rows):
    rows[4]["title"] = "   "


def _duplicate_id(rows):
    rows.append(dict(rows[5]))


def _posted_after_fetch(rows):
    rows[6]["posted_at"] = FETCHED + timedelta(days=3)


def _epoch_date(rows):
    rows[7]["posted_at"] = datetime(1970, 1, 1, tzinfo=UTC)


def _huge_description(rows):
    rows[8]["description"] = "x" * (200 * 1024 + 1)


def _no_fetch_time(rows):
    rows[9]["fetched_at"] = None


@pytest.mark.parametrize(
    ("defect", "expectation", "bad_rows"),
    [
        (_null_title, "expect_column_values_to_not_be_null(title)", 1),
        (_blank_title, "expect_column_values_to_be_between(title_length)[non_empty]", 1),
        (_duplicate_id, "expect_compound_columns_to_be_unique(source,source_id,content_hash)", 2),
        (
            _posted_after_fetch,
            "expect_column_pair_values_a_to_be_greater_than_b(fetched_at_plus_1d,posted_at)",
            1,
        ),
        (_epoch_date, "expect_column_values_to_be_between(posted_at)", 1),
        (_huge_description, "expect_column_values_to_be_between(description_bytes)", 1),
        (_no_fetch_time, "expect_column_values_to_not_be_null(fetched_at)", 1),
    ],
)
def test_defect_fails_the_right_expectation(wh, defect, expectation, bad_rows):
    con, settings = wh
    rows = raw_rows()
    defect(rows)
    outcome = validate(con, settings, rows)
    assert not outcome.success
    assert failed(outcome) == {expectation}
    (result,) = [r for r in outcome.results if r.expectation == expectation]
    assert result.unexpected_count == bad_rows
    # a key check is structural: it blocks publishing and quarantines nothing; the others quarantine
    assert result.structural == (expectation.startswith("expect_compound_columns_to_be_unique"))
    assert outcome.quarantined == (0 if result.structural else bad_rows)
    assert outcome.publishable == (not result.structural)


def test_long_title_only_warns(wh):
    con, settings = wh
    rows = raw_rows()
    rows[0]["title"] = "Engineer " * 80
    outcome = validate(con, settings, rows)
    assert outcome.success
    assert failed(outcome, critical=False) == {"expect_column_values_to_be_between(title_length)[max_length]"}
    assert outcome.quarantined == 0  # warnings never quarantine


def test_empty_raw_layer_passes(wh):
    con, settings = wh
    outcome = quality.validate_layer(con, "raw", run_id="t-empty", settings=settings, docs=False)
    assert outcome.success
    assert any(r.skipped for r in outcome.results)  # the coverage check needs min_base rows


def test_the_size_stored_at_load_is_checked_and_rows_without_one_are_measured(wh):
    """The check reads the ``description_bytes`` the loaders store (row 3: a stored size over the limit
    fails, whatever its text); rows from before the column (null) are measured from their text (row 25)."""
    con, settings = wh
    rows = raw_rows()
    for row in rows[:20]:
        row["description_bytes"] = len(row["description"].encode())
    rows[3]["description_bytes"] = 200 * 1024 + 1  # stored: too large
    rows[25]["description"] = "é" * (100 * 1024 + 1)  # not stored: 2 bytes a character, too large
    outcome = validate(con, settings, rows)
    (result,) = [r for r in outcome.results if r.expectation.endswith("(description_bytes)")]
    assert result.unexpected_count == 2
    assert outcome.quarantined == 2
    assert outcome.rows["raw"] == len(rows)
