"""expectations/normalised.py: a clean batch passes; each kind of defect fails the right expectation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
import yaml

from jobtrends import quality, warehouse
from jobtrends.settings import PROJECT_ROOT, load_settings

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ROLES = ["ai_ml_engineer", "data_scientist", "software_engineer", "other", "mlops_engineer"]
AI = {"ai_ml_engineer", "data_scientist", "mlops_engineer"}


@pytest.fixture
def wh(tmp_path):
    settings = load_settings(
        tmp_path, sql_dir=PROJECT_ROOT / "sql", expectations_dir=PROJECT_ROOT / "expectations"
    )
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        yield con, settings


def rows(n: int = 40) -> tuple[list[dict], list[dict]]:
    """(raw rows, normalised rows) for n postings; every other posting has pay."""
    raw, norm = [], []
    for i in range(n):
        key = f"lever:{i}"
        raw.append(
            {
                "posting_key": key,
                "source": "lever",
                "source_id": str(i),
                "content_hash": f"h{i}",
                "title": "x",
                "posted_at": NOW - timedelta(days=10 + i % 5),
                "fetched_at": NOW - timedelta(days=1),
                "landing_file": "landing/lever/x.json",
                "run_date": date(2026, 11, 24),
            }
        )
        role = ROLES[i % len(ROLES)]
        pay = i % 2 == 0
        norm.append(
            {
                "posting_key": key,
                "content_hash": f"h{i}",
                "taxonomy_version": "1.0.0",
                "role": role,
                "seniority": "senior",
                "is_ai_role": role in AI,
                "role_confidence": 0.9,
                "salary_min": 100_000.0 if pay else None,
                "salary_max": 150_000.0 if pay else None,
                "salary_currency": "USD" if pay else None,
                "salary_period": "year" if pay else None,
                "annual_min_usd": 100_000.0 if pay else None,
                "annual_max_usd": 150_000.0 if pay else None,
                "salary_source": "structured" if pay else None,
                "country": "US",
                "work_mode": "remote",
            }
        )
    return raw, norm


def validate(con, settings, raw, norm, run_id="t-norm"):
    warehouse.insert_arrow(con, "raw.postings", pa.Table.from_pylist(raw))
    warehouse.insert_arrow(con, "normalised.postings", pa.Table.from_pylist(norm))
    return quality.validate_layer(con, "normalised", run_id=run_id, settings=settings, now=NOW, docs=False)


def failed(outcome, *, critical=True):
    return {r.expectation for r in outcome.results if not r.success and r.critical is critical}


def test_role_sets_match_the_taxonomy_file():
    module = quality.load_expectations(load_settings(), "normalised")
    path = PROJECT_ROOT / "src" / "transform" / "taxonomy" / "taxonomy_v1.yaml"
    if not path.exists():
        pytest.skip("taxonomy file not present")
    data = yaml.safe_load(path.read_text())
    assert set(module.ROLES) == set(data["roles"])
    assert set(module.AI_ROLES) == {r for r, v in data["roles"].items() if v["is_ai_role"]}
    assert set(module.SENIORITIES) == set(data["seniorities"])


def test_clean_batch_passes(wh):
    con, settings = wh
    outcome = validate(con, settings, *rows())
    assert outcome.success, outcome.summary_line()
    assert not outcome.warnings, [(r.expectation, r.observed_value) for r in outcome.warnings]
    assert outcome.quarantined == 0


def _min_above_max(raw, norm):
    norm[0]["salary_min"] = 200_000.0


def _unknown_role(raw, norm):
    norm[1]["role"] = "wizard"


def _unknown_seniority(raw, norm):
    norm[1]["seniority"] = "grand_master"


def _future_posting(raw, norm):
    raw[2]["posted_at"] = NOW + timedelta(days=30)


def _bad_currency(raw, norm):
    norm[4]["salary_currency"] = "XYZ"


def _implausible_pay(raw, norm):
    norm[6]["annual_max_usd"] = 50_000_000.0


def _ai_flag_disagrees(raw, norm):
    norm[0]["is_ai_role"] = not norm[0]["is_ai_role"]


def _duplicate_row(raw, norm):
    norm.append(dict(norm[3]))


@pytest.mark.parametrize(
    ("defect", "expected", "bad_rows"),
    [
        (_min_above_max, {"expect_column_pair_values_a_to_be_greater_than_b(salary_max,salary_min)"}, 1),
        (
            _unknown_role,
            {"expect_column_values_to_be_in_set(role)", "expect_column_values_to_be_in_set(role_ai_pair)"},
            2,  # one row, two checks
        ),
        (_unknown_seniority, {"expect_column_values_to_be_in_set(seniority)"}, 1),
        (_future_posting, {"expect_column_values_to_be_between(posted_at)"}, 1),
        (_bad_currency, {"expect_column_values_to_be_in_set(salary_currency)"}, 1),
        (_implausible_pay, {"expect_column_values_to_be_between(annual_max_usd)"}, 1),
        (_ai_flag_disagrees, {"expect_column_values_to_be_in_set(role_ai_pair)"}, 1),
        (
            _duplicate_row,
            {"expect_compound_columns_to_be_unique(posting_key,content_hash,taxonomy_version)"},
            2,
        ),
    ],
)
def test_defect_fails_the_right_expectation(wh, defect, expected, bad_rows):
    con, settings = wh
    raw, norm = rows()
    defect(raw, norm)
    outcome = validate(con, settings, raw, norm)
    assert not outcome.success
    assert failed(outcome) == expected
    # the grain is structural: it blocks publishing and quarantines nothing; the others quarantine
    structural = {r.expectation for r in outcome.structural_failures}
    assert structural == (expected if defect is _duplicate_row else set())
    assert outcome.quarantined == (0 if structural else bad_rows)


def test_other_share_out_of_band_only_warns(wh):
    con, settings = wh
    raw, norm = rows()
    for r in norm:
        r["role"], r["is_ai_role"] = "other", False
    outcome = validate(con, settings, raw, norm)
    assert outcome.success
    assert failed(outcome, critical=False) == {"expect_column_mean_to_be_between(is_other)"}
    (share,) = [r for r in outcome.results if r.expectation == "expect_column_mean_to_be_between(is_other)"]
    assert share.observed_value == "1.0"


def test_defective_batch_is_quarantined_with_the_expectation_name(wh):
    con, settings = wh
    raw, norm = rows()
    _min_above_max(raw, norm)  # lever:0
    norm[5]["role"] = "wizard"  # lever:5
    outcome = validate(con, settings, raw, norm, run_id="run-q")
    assert not outcome.success
    got = con.execute(
        "select posting_key, stage, source, check_name, reason, record::json->>'role' "
        "from ops.quarantine where run_id = 'run-q' order by posting_key, check_name"
    ).fetchall()
    assert got == [
        (
            "lever:0",
            "validate",
            "lever",
            "expect_column_pair_values_a_to_be_greater_than_b(salary_max,salary_min)",
            "salary_min greater than salary_max",
            "ai_ml_engineer",
        ),
        (
            "lever:5",
            "validate",
            "lever",
            "expect_column_values_to_be_in_set(role)",
            "role not in the taxonomy",
            "wizard",
        ),
        (
            "lever:5",
            "validate",
            "lever",
            "expect_column_values_to_be_in_set(role_ai_pair)",
            "is_ai_role disagrees with the role",
            "wizard",
        ),
    ]
    assert quality.quarantine_keys(con, "run-q") == {"lever:0", "lever:5"}
    assert outcome.publishable  # every critical failure is row-level and fully quarantined
    assert [r.quarantined for r in outcome.critical_failures] == [1, 1, 1]
    assert quality.quarantine_keys(con, "another-run") == frozenset()
    # every expectation result is kept, passing or not
    stored = con.execute(
        "select count(*), count(*) filter (where not success and critical) from ops.validation_results "
        "where run_id = 'run-q' and suite = 'normalised'"
    ).fetchone()
    assert stored == (len(outcome.results), 3)


def test_large_failure_is_quarantined_in_bulk(wh):
    con, settings = wh
    raw, norm = rows(2000)
    for r in norm[:1500]:
        r["role"] = "wizard"
    outcome = validate(con, settings, raw, norm)
    assert outcome.quarantined == 3000
    (n,) = con.execute("select count(distinct posting_key) from ops.quarantine").fetchone()
    assert n == 1500
