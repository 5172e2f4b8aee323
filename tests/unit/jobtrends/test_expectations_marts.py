"""expectations/marts.py: grain map, inferred count/share checks, period gaps, reproducible claims."""

from __future__ import annotations

import re

import pytest
import yaml

from jobtrends import quality, warehouse
from jobtrends.settings import PROJECT_ROOT, load_settings

SCHEMA = warehouse.BUILD_SCHEMA


@pytest.fixture
def wh(tmp_path):
    settings = load_settings(
        tmp_path, sql_dir=PROJECT_ROOT / "sql", expectations_dir=PROJECT_ROOT / "expectations"
    )
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        yield con, settings


@pytest.fixture(scope="module")
def marts_module():
    return quality.load_expectations(load_settings(), "marts")


def make_title_growth(con, months=("2026-01-01", "2026-02-01", "2026-03-01")):
    con.execute(
        f"""
        create or replace table {SCHEMA}.agg_title_growth as
        select 'month' as period_grain, m::date as period_start, r as role, 'all' as seniority, 'all' as country,
               (10 + i)::bigint as new_postings, (8 + i)::bigint as new_unique_roles,
               0.25::double as share_of_new_unique_roles, -0.5::double as yoy_change,
               3::bigint as pop_panel_companies
        from unnest(?::varchar[]) with ordinality as t(m, i), unnest(['ai_ml_engineer', 'all']) as s(r)
        """,
        [list(months)],
    )


def make_claims(con, value: float, sql: str | None = None):
    sql = sql or (
        "select sum(new_unique_roles) from marts.agg_title_growth where role = 'all' and period_grain = 'month'"
    )
    con.execute(
        f"create or replace table {SCHEMA}.claims as "
        "select 'growth:month:all' as claim_id, 'new unique roles' as metric, ?::double as value, ? as sql",
        [value, sql],
    )


def validate(con, settings, marts=None):
    return quality.validate_layer(con, "marts", run_id="t-marts", settings=settings, marts=marts, docs=False)


def failed(outcome, *, critical=True):
    return {(r.suite, r.expectation) for r in outcome.results if not r.success and r.critical is critical}


# ----------------------------------------------------------------------------- pure


def test_plan_recognises_counts_shares_and_periods(marts_module):
    types = {
        "period_grain": "VARCHAR",
        "period_start": "DATE",
        "role": "VARCHAR",
        "new_postings": "BIGINT",
        "new_unique_roles": "BIGINT",
        "pop_panel_companies": "BIGINT",
        "share_of_new_postings": "DOUBLE",
        "pay_coverage": "DOUBLE",
        "yoy_change": "DOUBLE",
        "yoy_change_share_pp": "DOUBLE",
        "median_midpoint_usd": "DOUBLE",
        "wage_premium": "DOUBLE",
    }
    plan = marts_module.plan("agg_title_growth", types)
    assert plan.count_columns == ("new_postings", "new_unique_roles", "pop_panel_companies")
    assert plan.share_columns == ("share_of_new_postings", "pay_coverage")
    assert (plan.period_column, plan.period_kind_column) == ("period_start", "period_grain")
    assert plan.checks_gaps
    unknown = marts_module.plan("agg_mystery", types)
    assert unknown.spec is None and not unknown.checks_gaps  # generic checks only
    assert unknown.count_columns == plan.count_columns
    claims = marts_module.plan(
        "claims", {"claim_id": "VARCHAR", "period_grain": "VARCHAR", "period_start": "DATE"}
    )
    assert not claims.checks_gaps  # claims pick periods; they are not a series


def _prose_grain(text: str) -> list[str] | None:
    """The columns in the "(a, b, c)" of a grain written for people; None where it names none."""
    match = re.search(r"\(([^)]*)\)", text)
    return [c.strip() for c in match.group(1).split(",")] if match else None


def test_every_mart_states_its_grain_once_in_its_yml(marts_module):
    """The yml's grain_columns are the one definition: the prose agrees, the columns exist, the SQL points."""
    marts_dir = PROJECT_ROOT / "sql" / "marts"
    specs = marts_module.load_specs(marts_dir)
    assert set(specs) == {p.stem for p in marts_dir.glob("*.sql")}  # every mart has a grain map entry
    for name, spec in specs.items():
        doc = yaml.safe_load((marts_dir / f"{name}.yml").read_text())
        columns = {c["name"] for c in doc["columns"]}
        assert set(spec.grain) <= columns and set(spec.required) <= columns, name
        prose = _prose_grain(doc["grain"])
        assert prose is None or prose == list(spec.grain), f"{name}.yml: grain prose and grain_columns differ"
        header = (marts_dir / f"{name}.sql").read_text().splitlines()[0]
        assert (
            header
            == f"-- grain: grain_columns in {name}.yml (one definition: the marts expectations check it)"
        )
    assert specs["settings"].grain == () and specs["settings"].extra == {"exact_rows": 1}
    assert not specs["claims"].check_gaps and specs["claims"].required == ("claim_id", "metric")
    assert specs["agg_title_growth"].required == specs["agg_title_growth"].grain  # default: the grain


def test_spec_from_yml():
    m = quality.load_expectations(load_settings(), "marts")
    assert m.spec_from_yml({"name": "x", "grain": "one row per (a)"}) is None  # prose alone checks nothing
    spec = m.spec_from_yml({"grain_columns": ["a", "b"], "required_columns": ["a"], "check_gaps": False})
    assert (spec.grain, spec.required, spec.check_gaps, dict(spec.extra)) == (("a", "b"), ("a",), False, {})
    with pytest.raises(ValueError, match="grain_columns"):
        m.spec_from_yml({"name": "x", "grain_columns": "a, b"})
    with pytest.raises(ValueError, match="required_columns"):
        m.spec_from_yml({"name": "x", "grain_columns": ["a"], "required_columns": "a"})


def test_plan_uses_the_specs_it_is_given(marts_module):
    spec = marts_module.MartSpec(grain=("k",), required=("k", "gone"))
    p = marts_module.plan("agg_title_growth", {"k": "VARCHAR"}, {"agg_title_growth": spec})
    assert p.spec.grain == ("k",) and p.spec.required == ("k",)  # required cut to the columns present


def test_claim_tolerance(marts_module):
    assert marts_module.reproduces(0.43, 0.43 + 1e-9)
    assert not marts_module.reproduces(0.43, 0.44)
    assert marts_module.reproduces(None, None)
    assert not marts_module.reproduces(1.0, None)


# ----------------------------------------------------------------------------- on marts_next


def test_clean_marts_pass(wh):
    con, settings = wh
    make_title_growth(con)
    make_claims(con, value=9 + 10 + 11)
    outcome = validate(con, settings)
    assert outcome.success, outcome.summary_line()
    assert not outcome.warnings, [(r.expectation, r.observed_value) for r in outcome.warnings]
    suites = set(outcome.by_suite())
    assert suites == {"marts.agg_title_growth", "marts.claims", "marts.claims.reproducible"}
    labels = {r.expectation for r in outcome.results if r.suite == "marts.agg_title_growth"}
    assert "expect_compound_columns_to_be_unique(period_grain,period_start,role,seniority,country)" in labels
    assert "expect_column_values_to_be_between(share_of_new_unique_roles)" in labels
    assert "expect_column_values_to_be_between(yoy_change)" not in labels  # changes may be negative


@pytest.mark.parametrize(
    ("defect_sql", "expectation"),
    [
        (
            "insert into {s}.agg_title_growth select * from {s}.agg_title_growth limit 1",
            "expect_compound_columns_to_be_unique(period_grain,period_start,role,seniority,country)",
        ),
        (
            "update {s}.agg_title_growth set new_postings = -1 where role = 'all'",
            "expect_column_values_to_be_between(new_postings)",
        ),
        (
            "update {s}.agg_title_growth set share_of_new_unique_roles = 1.5 where role = 'all'",
            "expect_column_values_to_be_between(share_of_new_unique_roles)",
        ),
        (
            "update {s}.agg_title_growth set role = null where role = 'all'",
            "expect_column_values_to_not_be_null(role)",
        ),
    ],
)
def test_defective_mart_fails(wh, defect_sql, expectation):
    con, settings = wh
    make_title_growth(con)
    con.execute(defect_sql.format(s=SCHEMA))
    outcome = validate(con, settings)
    assert not outcome.success
    assert ("marts.agg_title_growth", expectation) in failed(outcome)


def test_period_gap_warns(wh):
    con, settings = wh
    make_title_growth(con, months=("2026-01-01", "2026-02-01", "2026-04-01"))
    outcome = validate(con, settings)
    assert outcome.success
    (gap,) = outcome.warnings
    assert gap.expectation == "expect_column_distinct_values_to_contain_set(_period_key)"
    assert "month:2026-03-01" in gap.observed_value


def test_unknown_mart_gets_generic_checks(wh):
    con, settings = wh
    con.execute(
        f"create table {SCHEMA}.agg_mystery as select 'x' as k, -3::bigint as n_postings, 2.0 as share_x"
    )
    outcome = validate(con, settings)
    assert failed(outcome) == {
        ("marts.agg_mystery", "expect_column_values_to_be_between(n_postings)"),
        ("marts.agg_mystery", "expect_column_values_to_be_between(share_x)"),
    }
    assert not any("unique" in r.expectation for r in outcome.results)


def test_mart_that_lost_its_grain_column_fails(wh):
    con, settings = wh
    make_title_growth(con)
    con.execute(f"alter table {SCHEMA}.agg_title_growth drop column country")
    outcome = validate(con, settings)
    assert ("marts.agg_title_growth", "expect_table_columns_to_match_set()") in failed(outcome)


@pytest.mark.parametrize(
    ("value", "sql", "expectation"),
    [
        (99.0, None, "expect_column_values_to_be_in_set(reproduces)"),
        (30.0, "select nope from marts.agg_title_growth", "expect_column_values_to_be_null(error)"),
        (30.0, "delete from marts.agg_title_growth", "expect_column_values_to_be_null(error)"),
    ],
)
def test_claim_that_does_not_reproduce_fails(wh, value, sql, expectation):
    con, settings = wh
    make_title_growth(con)
    make_claims(con, value=value, sql=sql)
    outcome = validate(con, settings)
    assert ("marts.claims.reproducible", expectation) in failed(outcome)
    assert (
        con.execute(f"select count(*) from {SCHEMA}.agg_title_growth").fetchone()[0] == 6
    )  # nothing deleted


def test_marts_validator_gates_publishing(wh):
    con, settings = wh
    make_title_growth(con)
    validator = quality.marts_validator(settings, "run-m", docs=False)
    assert validator(con, ["agg_title_growth"]) is True
    assert validator.last_outcome.success
    assert validator(con, ["agg_title_growth", "claims"]) is False  # a mart that was not built
    con.execute(f"update {SCHEMA}.agg_title_growth set new_postings = -5")
    assert validator(con, ["agg_title_growth"]) is False
    assert not validator.last_outcome.publishable  # mart failures are never row-level
    stored = con.execute(
        "select count(*) from ops.validation_results where run_id = 'run-m' and not success and critical"
    ).fetchone()[0]
    assert stored >= 2
    assert con.execute("select count(*) from ops.quarantine").fetchone()[0] == 0  # marts never quarantine


def test_deferred_docs_render_after_validation(wh):
    con, settings = wh
    make_title_growth(con)
    validator = quality.marts_validator(settings, "run-d", docs="defer")
    assert validator(con, ["agg_title_growth"]) is True
    outcome = validator.last_outcome
    assert outcome.docs_path is None and outcome.pending_docs is not None
    path = quality.render_deferred_docs(outcome, settings)
    assert path is not None and path.exists() and outcome.docs_path == path
    assert outcome.pending_docs is None
    assert quality.render_deferred_docs(outcome, settings) == path  # once only
