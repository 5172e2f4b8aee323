"""jobtrends.report: assembling claim rows into the four sections, and rendering them."""

from __future__ import annotations

import json

import pytest

from jobtrends import report


def _claim(
    claim_id: str,
    metric: str,
    value,
    *,
    numerator=None,
    denominator=None,
    n=0,
    role=None,
    grain=None,
    period="2025",
    panel="all companies and sources",
) -> dict:
    parts = claim_id.split(":")
    return {
        "claim_id": claim_id,
        "metric": metric,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "unit": "ratio",
        "period_grain": grain or parts[1],
        "period": period,
        "role": role or parts[3],
        "role_name": {
            "ai_ml_engineer": "AI/ML Engineer",
            "prompt_engineer": "Prompt Engineer",
            "all_ai": "All AI roles",
        }.get(role or parts[3]),
        "panel": panel,
        "dedup_level": "unique_role",
        "taxonomy_version": "v1",
        "n": n,
    }


CLAIMS = [
    _claim("salary_min:year:2025-01-01:ai_ml_engineer:Senior+", "median_annual_min_usd", 135_000.0, n=40),
    _claim("salary_max:year:2025-01-01:ai_ml_engineer:Senior+", "median_annual_max_usd", 170_400.0, n=40),
    _claim("salary_min:year:2025-01-01:ai_ml_engineer:Entry-Level", "median_annual_min_usd", None, n=0),
    _claim("salary_max:year:2025-01-01:ai_ml_engineer:Entry-Level", "median_annual_max_usd", None, n=0),
    _claim(
        "growth_yoy:quarter:2025-04-01:ai_ml_engineer",
        "new_unique_roles_yoy_change",
        1.43,
        numerator=243,
        denominator=100,
        n=343,
        period="2025-Q2",
    ),
    _claim(
        "growth_yoy_panel:quarter:2025-04-01:ai_ml_engineer",
        "new_unique_roles_yoy_panel_change",
        0.9,
        numerator=190,
        denominator=100,
        n=290,
        period="2025-Q2",
    ),
    _claim(
        "growth_yoy:quarter:2025-04-01:prompt_engineer",
        "new_unique_roles_yoy_change",
        None,
        numerator=40,
        denominator=12,
        n=52,
        period="2025-Q2",
    ),
    _claim(
        "growth_yoy:quarter:2025-04-01:all_ai",
        "new_unique_roles_yoy_change",
        0.5,
        numerator=300,
        denominator=200,
        n=500,
        period="2025-Q2",
    ),
    _claim(
        "growth_yoy:month:2025-06-01:ai_ml_engineer", "new_unique_roles_yoy_change", 9.0, period="2025-06"
    ),
    _claim(
        "skill_share:quarter:2025-04-01:ai_ml_engineer:pytorch",
        "skill_share_of_unique_roles",
        0.6,
        numerator=146,
        denominator=243,
        n=243,
        period="2025-Q2",
    ),
    _claim(
        "skill_share_change_pp:quarter:2025-04-01:ai_ml_engineer:pytorch",
        "skill_share_yoy_change_pp",
        12.5,
        period="2025-Q2",
    ),
    _claim(
        "skill_share:quarter:2025-04-01:ai_ml_engineer:python",
        "skill_share_of_unique_roles",
        0.8,
        numerator=194,
        denominator=243,
        n=243,
        period="2025-Q2",
    ),
    _claim(
        "wage_premium:ai_vs_comparable:year:2025-01-01:all_ai",
        "wage_premium_ai_vs_comparable",
        0.56,
        numerator=156_000,
        denominator=100_000,
        n=900,
    ),
]


def test_salary_rows_have_ranges_growth_and_claim_ids():
    data = report.build_report(CLAIMS, {"growth_yoy_panel:quarter:2025-04-01:ai_ml_engineer": 37})
    (eng,) = [r for r in data["salary"] if r["role"] == "ai_ml_engineer"]
    senior = eng["bands"]["Senior+"]
    assert senior["range"] == "$135k\u2013$170k" and senior["n"] == 40
    assert senior["claim_ids"] == [
        "salary_min:year:2025-01-01:ai_ml_engineer:Senior+",
        "salary_max:year:2025-01-01:ai_ml_engineer:Senior+",
    ]
    assert eng["bands"]["Entry-Level"]["range"] == "\u2013"
    assert eng["growth"] == {"yoy_change": 1.43, "claim_id": "growth_yoy:quarter:2025-04-01:ai_ml_engineer"}


def test_growth_is_sorted_total_first_then_fastest_and_has_the_panel():
    data = report.build_report(CLAIMS, {"growth_yoy_panel:quarter:2025-04-01:ai_ml_engineer": 37})
    assert [g["role"] for g in data["growth"]] == ["all_ai", "ai_ml_engineer", "prompt_engineer"]
    eng = data["growth"][1]
    assert eng["panel_change"] == 0.9 and eng["panel_companies"] == 37 and eng["n"] == 343
    assert eng["panel_claim_id"] == "growth_yoy_panel:quarter:2025-04-01:ai_ml_engineer"


def test_top_skills_and_premium():
    data = report.build_report(CLAIMS)
    (skills,) = data["top_skills"]
    assert [s["skill_id"] for s in skills["skills"]] == ["python", "pytorch"]
    assert skills["skills"][1]["change_pp"] == 12.5
    assert skills["skills"][0]["change_pp"] is None
    (premium,) = data["wage_premium"]
    assert premium["comparison"] == "ai_vs_comparable" and premium["premium"] == 0.56


@pytest.mark.parametrize(
    ("value", "text"), [(0.425, "+42.5%"), (-0.25, "-25.0%"), (None, "suppressed"), (12.5, "+1250.0%")]
)
def test_format_pct(value, text):
    assert report.format_pct(value) == text


def test_format_money_and_pp():
    assert report.format_money(135_000) == "$135k"
    assert report.format_money(None) == "\u2013"
    assert report.format_pp(-3.26) == "-3.3 pp"
    assert report.format_pp(1.04) == "+1.0 pp"
    assert report.format_pp(0.0) == "+0.0 pp"
    assert report.format_pp(None) == "n/a"


def test_render_every_format_shows_claim_ids():
    data = report.build_report(CLAIMS, settings={"as_of_date": "2025-06-30", "min_base": "30"})
    table = report.render(data, "table")
    md = report.render(data, "markdown")
    for text in (table, md):
        assert "$135k\u2013$170k (n=40)" in text
        assert "growth_yoy:quarter:2025-04-01:ai_ml_engineer" in text
        assert "skill_share:quarter:2025-04-01:ai_ml_engineer:pytorch" in text
        assert "wage_premium:ai_vs_comparable:year:2025-01-01:all_ai" in text
        assert "+143.0%" in text and "suppressed" in text
    assert (
        md.startswith("# AI job-market report")
        and "| Role | Entry-Level | Mid-Level | Senior+ | Growth rate |" in md
    )
    parsed = json.loads(report.render(data, "json"))
    assert parsed["growth"][0]["role"] == "all_ai"
    with pytest.raises(ValueError):
        report.render(data, "html")


def test_empty_report_renders():
    text = report.render(report.build_report([]), "table")
    assert "(no data)" in text
