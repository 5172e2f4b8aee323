"""A tiny hand-made warehouse with the published marts the dashboard reads (no pipeline run).

Two AI roles over 2024-2025: AI/ML Engineer grows from 40 to 100 new unique roles a quarter (+150%,
fixed panel +120% on 7 companies); Prompt Engineer from 10 to 25, below the minimum base of 30, so its
year-over-year change is suppressed. Pay and skills are made up the same way; every number is chosen
here, not computed by the code under test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from jobtrends import warehouse
from jobtrends.settings import PROJECT_ROOT, load_settings

MIN_BASE = 30
QUARTERS = ["2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01"] + [
    "2025-01-01",
    "2025-04-01",
    "2025-07-01",
    "2025-10-01",
]
# new unique roles per quarter: 2024 then 2025
NEW_ROLES = {"ai_ml_engineer": (40, 100), "prompt_engineer": (10, 25)}
PANEL = {"ai_ml_engineer": (7, 0.5, 1.2)}  # companies, base share on the panel, panel change


def _q(value: float | None) -> str:
    return "null" if value is None else repr(value)


def _title_growth_rows() -> list[str]:
    rows = []
    for role, (before, after) in NEW_ROLES.items():
        for i, start in enumerate(QUARTERS):
            new = before if i < 4 else after
            base = before if i >= 4 else None
            yoy = (new - base) / base if base is not None and base >= MIN_BASE else None
            suppressed = base is not None and base < MIN_BASE
            panel_companies, _, panel_change = PANEL.get(role, (None, None, None))
            panel = panel_change if yoy is not None else None
            rows.append(
                f"('quarter', date '{start}', true, '{role}', 'all', 'all', {new}, {new + 2}, 0.4, "
                f"{_q(base)}, {_q(yoy)}, {str(suppressed).lower()}, {_q(panel)}, "
                f"{_q(panel_companies if base is not None else None)}, {MIN_BASE})"
            )
            for m in range(3):  # months: a third of the quarter each
                month = f"{start[:5]}{int(start[5:7]) + m:02d}-01"
                rows.append(
                    f"('month', date '{month}', true, '{role}', 'all', 'all', {new // 3}, {new // 3}, 0.4, "
                    f"null, null, false, null, null, {MIN_BASE})"
                )
    return rows


def build_tiny_warehouse(path: Path, *, sample: bool) -> Path:
    with warehouse.connect(path) as con:
        warehouse.ensure_schema(con, PROJECT_ROOT / "sql")
        con.execute(
            "create table marts.settings as select '9.9.9' as taxonomy_version, 30 as min_base, "
            f"45 as repost_window_days, date '2026-01-01' as as_of_date, {1234 if sample else 0} "
            f"as synthetic_postings, {str(sample).lower()} as contains_synthetic_sample"
        )
        con.execute(
            "create table marts.dim_roles as select * from (values "
            "('ai_ml_engineer', 'AI/ML Engineer', true, false, false), "
            "('prompt_engineer', 'Prompt Engineer', true, false, false), "
            "('all_ai', 'All AI roles', false, false, true), "
            "('software_engineer', 'Software Engineer', false, true, false)) "
            "t(role, role_name, is_ai_role, is_comparable_role, is_role_group)"
        )
        con.execute(
            "create table marts.agg_title_growth as select * from (values "
            + ", ".join(_title_growth_rows())
            + ") t(period_grain, period_start, is_complete, role, seniority, country, new_unique_roles, "
            "new_postings, share_of_new_unique_roles, yoy_base_new_unique_roles, yoy_change, is_yoy_suppressed, "
            "yoy_panel_change, yoy_panel_companies, min_base)"
        )
        con.execute(
            "create table marts.agg_distinct_titles as select * from (values "
            "('quarter', date '2024-10-01', true, 'all_ai', 12, null, null, false), "
            "('quarter', date '2025-10-01', true, 'all_ai', 18, 12, null, true), "
            "('quarter', date '2026-01-01', false, 'all_ai', 3, 14, null, true)) "
            "t(period_grain, period_start, is_complete, role, distinct_titles, yoy_base_distinct_titles, "
            "yoy_change, is_yoy_suppressed)"
        )
        skills = []
        for start, pytorch, tensorflow in (("2024-10-01", 18, 16), ("2025-10-01", 62, 22)):
            for skill, mentions, rank in (("pytorch", pytorch, 1), ("tensorflow", tensorflow, 2)):
                skills.append(
                    f"('quarter', date '{start}', true, 'ai_ml_engineer', '{skill}', {mentions}, 100, "
                    f"{mentions / 100}, {rank}, null, false)"
                )
        con.execute(
            "create table marts.agg_skill_frequency as select * from (values "
            + ", ".join(skills)
            + ") t(period_grain, period_start, is_complete, role, skill_id, mentions_unique_roles, "
            "role_unique_roles, share_of_unique_roles, skill_rank, yoy_change_share_pp, is_yoy_suppressed)"
        )
        con.execute(
            "create table marts.agg_salary_trends as select * from (values "
            "('year', date '2025-01-01', true, 'ai_ml_engineer', 'Entry-Level', 'employer_stated', 50, 40, "
            "120000.0, 150000.0, 135000.0, false), "
            "('year', date '2025-01-01', true, 'ai_ml_engineer', 'Senior+', 'employer_stated', 60, 44, "
            "190000.0, 240000.0, 215000.0, false), "
            "('year', date '2025-01-01', true, 'ai_ml_engineer', 'Senior+', 'estimated', 60, 12, "
            "170000.0, 200000.0, 185000.0, true)) "
            "t(period_grain, period_start, is_complete, role, band, pay_basis, unique_roles, n_with_pay, "
            "median_annual_min_usd, median_annual_max_usd, median_midpoint_usd, is_below_min_base)"
        )
        con.execute(
            "create table marts.agg_wage_premium as select * from (values "
            "('ai_vs_comparable', 'year', date '2025-01-01', true, 'all_ai', 'all', 'All', 'employer_stated', "
            "84, 210, 180000.0, 150000.0, 0.2), "
            "('ai_skill_within_role', 'year', date '2025-01-01', true, 'software_engineer', 'all', 'All', "
            "'employer_stated', 12, 300, 160000.0, 150000.0, null)) "
            "t(comparison, period_grain, period_start, is_complete, role, country, band, pay_basis, n_treated, "
            "n_control, median_treated_usd, median_control_usd, wage_premium)"
        )
        con.execute(
            "create table marts.claims as select * from (values "
            "('growth_yoy:quarter:2025-10-01:ai_ml_engineer', 'new_unique_roles_yoy_change', 1.5, 100.0, 40.0, "
            "'ratio', 'quarter', '2025-Q4', 'ai_ml_engineer', 'all companies and sources', 'unique_role', '9.9.9', "
            "140, 'select 1.5'), "
            "('growth_yoy:quarter:2025-10-01:all_ai', 'new_unique_roles_yoy_change', 1.4, 125.0, 50.0, "
            "'ratio', 'quarter', '2025-Q4', 'all_ai', 'all companies and sources', 'unique_role', '9.9.9', "
            "175, 'select 1.4'), "
            "('share_of_new_unique_roles:quarter:2025-10-01:all_ai', 'share_of_new_unique_roles', 0.4, 125.0, "
            "312.5, 'ratio', 'quarter', '2025-Q4', 'all_ai', 'all companies and sources', 'unique_role', '9.9.9', "
            "125, 'select 0.4'), "
            "('skill_share:quarter:2025-10-01:ai_ml_engineer:pytorch', 'skill_share_of_unique_roles', 0.62, 62.0, "
            "100.0, 'ratio', 'quarter', '2025-Q4', 'ai_ml_engineer', 'all companies and sources', 'unique_role', "
            "'9.9.9', 100, 'select 0.62'), "
            "('skill_share_change_pp:quarter:2025-10-01:ai_ml_engineer:pytorch', 'skill_share_change_pp', 44.0, "
            "null, null, 'percentage_points', 'quarter', '2025-Q4', 'ai_ml_engineer', 'all companies and sources', "
            "'unique_role', '9.9.9', 100, 'select 44.0'), "
            "('salary_min:year:2025-01-01:ai_ml_engineer:Senior+', 'median_annual_min_usd', 190000.0, null, null, "
            "'usd', 'year', '2025', 'ai_ml_engineer', 'all companies and sources', 'unique_role', '9.9.9', 44, "
            "'select 190000.0')) "
            "t(claim_id, metric, value, numerator, denominator, unit, period_grain, period, role, panel, "
            "dedup_level, taxonomy_version, n, sql)"
        )
        con.execute(
            "insert into ops.source_runs (run_id, source_name, kind, started_at, status, http_status, "
            "postings_seen, record_file) values ('r1', 'greenhouse:acme', 'greenhouse', "
            "timestamptz '2026-01-01 06:00:00+00', 'ok', 200, 300, 'rec1'), ('r1', 'lever:broken', 'lever', "
            "timestamptz '2026-01-01 06:00:00+00', 'failed', 503, 0, 'rec2')"
        )
        con.execute(
            "insert into ops.landing_files (landing_file, sha256, source, run_date, postings, errors, status) "
            "values ('a.json', 'x', 'greenhouse', date '2026-01-01', 300, 1, 'loaded')"
        )
        con.execute(
            "insert into ops.quarantine (run_id, stage, source, pointer, check_name, reason) values "
            "('r1', 'load', 'greenhouse', '/jobs/3', 'required_fields', 'missing title'), "
            "('r1', 'load', 'greenhouse', '/jobs/9', 'required_fields', 'missing title')"
        )
        con.execute(
            "insert into ops.validation_results (run_id, suite, expectation, column_name, success, critical, "
            "observed_value, unexpected_count) values "
            "('r1', 'raw', 'expect_column_values_to_not_be_null', 'title', true, true, null, 0), "
            "('r1', 'marts.claims', 'expect_column_values_to_be_between', 'value', false, false, "
            '\'{"unexpected": 1, "examples": ["-7.5"]}\', 1)'
        )
    return path


@pytest.fixture(scope="session")
def tiny_warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"sample": <data dir>, "real": <data dir>}``: the same marts, flagged synthetic or not."""
    out = {}
    for name in ("sample", "real"):
        data = tmp_path_factory.mktemp(f"dash-{name}")
        build_tiny_warehouse(data / "warehouse.duckdb", sample=name == "sample")
        out[name] = data
    return out


@pytest.fixture(scope="session")
def tiny_settings(tiny_warehouses: dict[str, Path]) -> Callable[[str], object]:
    def make(name: str) -> object:
        return load_settings(tiny_warehouses[name])

    return make


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; skips with the reason locally, fails in CI (CI=true or
    JOBTRENDS_REQUIRE_SHARED=1), where .ci/run installs Debian's package."""
    from jobtrends.browser import find_chromium

    found = find_chromium()
    if found:
        return found
    reason = "no chromium executable (apt-get install -y chromium; .ci/run does this in CI)"
    if os.environ.get("CI", "").lower() == "true" or os.environ.get("JOBTRENDS_REQUIRE_SHARED") == "1":
        pytest.fail(f"the dashboard browser test must run in CI, but {reason}")
    pytest.skip(reason)
    return shutil.which("chromium") or ""
