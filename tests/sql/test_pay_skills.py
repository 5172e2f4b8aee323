"""agg_salary_trends, agg_wage_premium, agg_skill_frequency and agg_distinct_titles on hand-made rows."""

from __future__ import annotations

from datetime import date

import pytest

SALARY = (
    "select * from marts.agg_salary_trends where period_grain = 'year' and period_start = date '2025-01-01' "
    "and role = ? and band = ? and pay_basis = ?"
)


@pytest.fixture()
def pay(given):
    # Senior+ AI/ML engineers, employer-stated: (100,140) (120,160) (130,170) (150,210) thousand USD
    for i, (lo, hi, sen) in enumerate(
        [(100, 140, "senior"), (120, 160, "staff_principal"), (130, 170, "senior"), (150, 210, "senior")]
    ):
        given.posting(
            f"gh:s{i}",
            posted="2025-02-01",
            seniority=sen,
            pay=(lo * 1000, hi * 1000),
            title_clean=f"senior ml {i}",
            company=f"C{i}",
            skills=("pytorch",),
        )
    # a site estimate is kept apart
    given.posting(
        "gd:e1",
        posted="2025-02-01",
        seniority="senior",
        pay=(200_000, 220_000),
        estimate=True,
        title_clean="estimated",
        company="E",
    )
    # an entry-level engineer with only a minimum
    given.posting(
        "gh:j1", posted="2025-02-01", seniority="entry", pay=(90_000, None), title_clean="junior", company="J"
    )
    # prompt engineers without pay
    given.posting("gh:p1", posted="2025-02-01", role="prompt_engineer", title_clean="prompt a", company="P")
    given.posting("gh:p2", posted="2025-02-01", role="prompt_engineer", title_clean="prompt b", company="P")
    # comparable software engineers (midpoints 100, 120, 140) and an 'other' role that is no comparison
    for i, mid in enumerate((100, 120, 140)):
        given.posting(
            f"lv:w{i}",
            posted="2025-02-01",
            role="software_engineer",
            seniority="senior",
            pay=(mid * 1000 - 10_000, mid * 1000 + 10_000),
            title_clean=f"swe {i}",
            company=f"S{i}",
        )
    given.posting(
        "lv:o1",
        posted="2025-02-01",
        role="other",
        seniority="senior",
        pay=(20_000, 30_000),
        title_clean="nurse",
        company="H",
    )
    # AI/ML engineers without an AI skill (midpoints 110, 130)
    for i, mid in enumerate((110, 130)):
        given.posting(
            f"gh:n{i}",
            posted="2025-02-01",
            seniority="mid",
            pay=(mid * 1000, mid * 1000),
            title_clean=f"ml plain {i}",
            company=f"N{i}",
            skills=("python",),
        )
    given.build(min_base=2)
    return given


def test_salary_typical_range_and_quantiles(pay):
    row = pay.one(SALARY, ["ai_ml_engineer", "Senior+", "employer_stated"])
    assert row["n_with_pay"] == 4
    assert row["median_annual_min_usd"] == pytest.approx(125_000)  # (120 + 130) / 2
    assert row["median_annual_max_usd"] == pytest.approx(165_000)  # (160 + 170) / 2
    # midpoints 120, 140, 150, 180: p25 = 120 + 0.75 * 20, median = 145, p75 = 150 + 0.25 * 30
    assert row["p25_midpoint_usd"] == pytest.approx(135_000)
    assert row["median_midpoint_usd"] == pytest.approx(145_000)
    assert row["p75_midpoint_usd"] == pytest.approx(157_500)
    assert row["unique_roles"] == 5  # the estimated one counts as a unique role without employer-stated pay
    est = pay.one(SALARY, ["ai_ml_engineer", "Senior+", "estimated"])
    assert est["n_with_pay"] == 1 and est["median_midpoint_usd"] == pytest.approx(210_000)


def test_salary_one_sided_pay_and_bands(pay):
    row = pay.one(SALARY, ["ai_ml_engineer", "Entry-Level", "employer_stated"])
    assert row["n_with_pay"] == 1
    assert row["median_annual_min_usd"] == pytest.approx(90_000)
    assert row["median_annual_max_usd"] is None
    assert row["median_midpoint_usd"] == pytest.approx(90_000)  # only the minimum is known


def test_role_with_no_pay(pay):
    row = pay.one(SALARY, ["prompt_engineer", "All", "employer_stated"])
    assert row["unique_roles"] == 2 and row["n_with_pay"] == 0
    assert row["median_annual_min_usd"] is None and row["median_midpoint_usd"] is None
    assert row["pay_coverage"] == 0


def test_wage_premium_ai_vs_comparable(pay):
    row = pay.one(
        "select * from marts.agg_wage_premium where comparison = 'ai_vs_comparable' and period_grain = 'year' "
        "and country = 'all' and band = 'Senior+' and pay_basis = 'employer_stated'"
    )
    # AI Senior+ midpoints 120, 140, 150, 180 -> median 145; software engineers 100, 120, 140 -> 120
    assert (row["n_treated"], row["n_control"]) == (4, 3)
    assert row["median_treated_usd"] == pytest.approx(145_000)
    assert row["median_control_usd"] == pytest.approx(120_000)
    assert row["wage_premium"] == pytest.approx(145 / 120 - 1)


def test_wage_premium_ai_skill_within_role(pay):
    row = pay.one(
        "select * from marts.agg_wage_premium where comparison = 'ai_skill_within_role' and period_grain = 'year' "
        "and role = 'ai_ml_engineer' and pay_basis = 'employer_stated'"
    )
    # with pytorch: midpoints 120, 140, 150, 180 -> 145; without: 90 (entry), 110, 130 -> 110
    assert (row["n_treated"], row["n_control"]) == (4, 3)
    assert row["wage_premium"] == pytest.approx(145 / 110 - 1)


def test_wage_premium_suppressed_below_min_base(given):
    given.posting("gh:1", posted="2025-02-01", pay=(100_000, 100_000), title_clean="a", company="A")
    given.posting(
        "lv:1",
        posted="2025-02-01",
        role="software_engineer",
        pay=(90_000, 90_000),
        title_clean="b",
        company="B",
    )
    given.build(min_base=2)
    row = given.one(
        "select * from marts.agg_wage_premium where comparison = 'ai_vs_comparable' and period_grain = 'year' "
        "and country = 'all' and band = 'All' and pay_basis = 'employer_stated'"
    )
    assert (row["n_treated"], row["n_control"]) == (1, 1)
    assert row["wage_premium"] is None and row["is_suppressed"] is True


SKILLS = (
    "select * from marts.agg_skill_frequency where period_grain = 'quarter' and period_start = ? "
    "and role = 'ai_ml_engineer' and skill_id = ?"
)


def test_skill_share_rank_and_change_in_pp(given):
    # Q1 2024: 4 unique roles, pytorch in 1, tensorflow in 3
    for i, skills in enumerate([("pytorch",), ("tensorflow",), ("tensorflow",), ("tensorflow",)]):
        given.posting(f"gh:a{i}", posted="2024-02-01", skills=skills, title_clean=f"a{i}", company=f"A{i}")
    # Q1 2025: 4 unique roles, pytorch in 3, tensorflow in 1; one pytorch job also on a second source
    for i, skills in enumerate([("pytorch",), ("pytorch",), ("pytorch", "python"), ("tensorflow",)]):
        given.posting(f"gh:b{i}", posted="2025-02-01", skills=skills, title_clean=f"b{i}", company=f"B{i}")
    given.posting("lv:b0", posted="2025-02-02", skills=("pytorch",), title_clean="b0", company="B0")
    given.build(min_base=4)
    pt = given.one(SKILLS, [date(2025, 1, 1), "pytorch"])
    assert (pt["mentions_unique_roles"], pt["role_unique_roles"]) == (3, 4)
    assert pt["share_of_unique_roles"] == pytest.approx(0.75)
    assert (pt["mentions_postings"], pt["role_postings"]) == (4, 5)
    assert pt["skill_rank"] == 1
    assert pt["yoy_change_share_pp"] == pytest.approx(50.0)  # 75% - 25%
    tf = given.one(SKILLS, [date(2025, 1, 1), "tensorflow"])
    assert tf["skill_rank"] == 2 and tf["yoy_change_share_pp"] == pytest.approx(-50.0)
    py = given.one(SKILLS, [date(2025, 1, 1), "python"])
    assert py["yoy_change_share_pp"] == pytest.approx(25.0)  # named by none a year earlier
    assert py["is_ai_skill"] is False and pt["is_ai_skill"] is True
    old = given.one(SKILLS, [date(2024, 1, 1), "pytorch"])
    assert old["yoy_change_share_pp"] is None and old["is_yoy_suppressed"] is True


def test_distinct_titles(given):
    for i, title in enumerate(["ML Engineer", "ml engineer", "AI Engineer"]):
        given.posting(f"gh:a{i}", posted="2024-02-01", title_clean=title, company=f"A{i}")
    for i, title in enumerate(["ML Engineer", "AI Engineer", "LLM Engineer", "LLM engineer"]):
        given.posting(f"gh:b{i}", posted="2025-02-01", title_clean=title, company=f"B{i}")
    given.posting(
        "gh:c0", posted="2025-02-01", title_clean="Prompt Engineer", role="prompt_engineer", company="C"
    )
    given.posting("gh:d0", posted="2025-02-01", title_clean="Nurse", role="other", company="D")
    given.build(min_base=2)
    rows = {
        r["role"]: r
        for r in given.rows(
            "select * from marts.agg_distinct_titles where period_grain = 'quarter' and period_start = date '2025-01-01'"
        )
    }
    assert rows["ai_ml_engineer"]["distinct_titles"] == 3  # ml engineer, ai engineer, llm engineer
    assert rows["ai_ml_engineer"]["yoy_base_distinct_titles"] == 2
    assert rows["ai_ml_engineer"]["yoy_change"] == pytest.approx(0.5)
    assert rows["all_ai"]["distinct_titles"] == 4  # + prompt engineer; the nurse is not an AI role
    assert "other" not in rows
