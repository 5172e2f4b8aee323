"""agg_title_growth: counts, share, PoP/YoY across a year boundary, suppression, fixed panel, empty periods."""

from __future__ import annotations

from datetime import date

import pytest

GROWTH = (
    "select * from marts.agg_title_growth where period_grain = ? and period_start = ? and role = ? "
    "and seniority = 'all' and country = 'all'"
)


def _series(given, prefix: str, n: int, posted: str, company: str, role: str = "ai_ml_engineer") -> None:
    for i in range(n):
        given.posting(
            f"{prefix}:{company}{i}",
            posted=posted,
            company=company,
            role=role,
            title_clean=f"{role} {prefix} {company} {i}",
        )


@pytest.fixture()
def boundary(given):
    # Jan 2024: A10 B10 C10 = 30 | Dec 2024: A20 B20 = 40 | Jan 2025: A15 B15 D15 = 45 AI + 15 software (A)
    for company, n in (("A", 10), ("B", 10), ("C", 10)):
        _series(given, "jan24", n, "2024-01-10", company)
    for company, n in (("A", 20), ("B", 20)):
        _series(given, "dec24", n, "2024-12-10", company)
    for company, n in (("A", 15), ("B", 15), ("D", 15)):
        _series(given, "jan25", n, "2025-01-10", company)
    _series(given, "swe25", 15, "2025-01-10", "A", role="software_engineer")
    given.build(min_base=20)
    return given


def test_yoy_and_pop_across_a_year_boundary(boundary):
    row = boundary.one(GROWTH, ["month", date(2025, 1, 1), "ai_ml_engineer"])
    assert row["new_unique_roles"] == 45 and row["new_postings"] == 45
    assert row["yoy_base_start"] == date(2024, 1, 1)
    assert row["yoy_base_new_unique_roles"] == 30
    assert row["yoy_change"] == pytest.approx(0.5)  # (45 - 30) / 30
    assert row["pop_base_start"] == date(2024, 12, 1)
    assert row["pop_base_new_unique_roles"] == 40
    assert row["pop_change"] == pytest.approx(0.125)  # (45 - 40) / 40
    assert row["share_of_new_unique_roles"] == pytest.approx(0.75)  # 45 of 60
    assert row["is_yoy_suppressed"] is False


def test_fixed_panel(boundary):
    row = boundary.one(GROWTH, ["month", date(2025, 1, 1), "ai_ml_engineer"])
    # companies in Jan 2025 and Jan 2024: A, B (C left, D is new)
    assert row["yoy_panel_companies"] == 2
    assert row["yoy_panel_new_unique_roles"] == 30  # A15 + B15
    assert row["yoy_panel_base_new_unique_roles"] == 20  # A10 + B10
    assert row["yoy_panel_change"] == pytest.approx(0.5)
    # Dec 2024 vs Jan 2025: A, B; this 30, base 40
    assert row["pop_panel_companies"] == 2
    assert row["pop_panel_change"] == pytest.approx(-0.25)


def test_quarter_week_and_totals(boundary):
    q = boundary.one(GROWTH, ["quarter", date(2025, 1, 1), "ai_ml_engineer"])
    assert (q["new_unique_roles"], q["yoy_base_new_unique_roles"], q["pop_base_new_unique_roles"]) == (
        45,
        30,
        40,
    )
    assert q["yoy_change"] == pytest.approx(0.5)
    # 2025-01-10 is in the week of Monday 2025-01-06; 52 weeks earlier is the week of 2024-01-08
    w = boundary.one(GROWTH, ["week", date(2025, 1, 6), "ai_ml_engineer"])
    assert w["yoy_base_start"] == date(2024, 1, 8)
    assert w["yoy_change"] == pytest.approx(0.5)
    total = boundary.one(GROWTH, ["month", date(2025, 1, 1), "all"])
    assert total["new_unique_roles"] == 60
    ai = boundary.one(GROWTH, ["month", date(2025, 1, 1), "all_ai"])
    assert ai["new_unique_roles"] == 45
    by_country = boundary.one(
        "select * from marts.agg_title_growth where period_grain = 'month' and period_start = ? "
        "and role = 'ai_ml_engineer' and seniority = 'mid' and country = 'US'",
        [date(2025, 1, 1)],
    )
    assert by_country["new_unique_roles"] == 45


def test_empty_periods_are_zero_rows(boundary):
    # nothing was posted in 2024-06: the row exists with zeros, and its YoY is suppressed
    row = boundary.one(GROWTH, ["month", date(2024, 6, 1), "ai_ml_engineer"])
    assert row["new_unique_roles"] == 0 and row["active_unique_roles"] == 0
    assert row["yoy_change"] is None and row["is_yoy_suppressed"] is True
    # the month after a busy month: a 100% fall is shown, not hidden (base 40 >= 20)
    row = boundary.one(GROWTH, ["month", date(2024, 2, 1), "ai_ml_engineer"])
    assert row["pop_base_new_unique_roles"] == 30
    assert row["pop_change"] == pytest.approx(-1.0)


def test_suppression_below_min_base(given):
    _series(given, "y24", 29, "2024-03-10", "A")
    _series(given, "y25", 58, "2025-03-10", "A")
    _series(given, "z24", 30, "2024-03-10", "B", role="data_scientist")
    _series(given, "z25", 60, "2025-03-10", "B", role="data_scientist")
    given.build(min_base=30)
    eng = given.one(GROWTH, ["month", date(2025, 3, 1), "ai_ml_engineer"])
    assert eng["yoy_base_new_unique_roles"] == 29
    assert eng["yoy_change"] is None and eng["is_yoy_suppressed"] is True
    assert eng["yoy_panel_change"] is None
    ds = given.one(GROWTH, ["month", date(2025, 3, 1), "data_scientist"])
    assert ds["yoy_change"] == pytest.approx(1.0) and ds["is_yoy_suppressed"] is False
    assert given.one("select min_base from marts.settings")["min_base"] == 30


def test_min_base_is_a_setting(given):
    _series(given, "y24", 29, "2024-03-10", "A")
    _series(given, "y25", 58, "2025-03-10", "A")
    given.build(min_base=10)
    eng = given.one(GROWTH, ["month", date(2025, 3, 1), "ai_ml_engineer"])
    assert eng["yoy_change"] == pytest.approx(1.0)  # (58 - 29) / 29
    assert eng["min_base"] == 10


def test_unique_roles_vs_postings(given):
    # the same job on two sources: 2 postings, 1 unique role
    given.posting("gh:1", posted="2025-03-10", company="Acme Inc.", title_clean="ML Engineer")
    given.posting("lv:1", posted="2025-03-12", company="ACME", title_clean="ml engineer")
    given.build()
    row = given.one(GROWTH, ["month", date(2025, 3, 1), "ai_ml_engineer"])
    assert (row["new_postings"], row["new_unique_roles"]) == (2, 1)
