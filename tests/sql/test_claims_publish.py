"""claims reproduce their values; atomic publish; key uniqueness and documentation of every mart."""

from __future__ import annotations

import math

import pytest
import yaml

from jobtrends import marts, warehouse

from .conftest import SQL_DIR

MART_KEYS = {
    "agg_title_growth": ["period_grain", "period_start", "role", "seniority", "country"],
    "agg_distinct_titles": ["period_grain", "period_start", "role"],
    "agg_skill_frequency": ["period_grain", "period_start", "role", "skill_id"],
    "agg_salary_trends": ["period_grain", "period_start", "role", "band", "pay_basis"],
    "agg_wage_premium": [
        "comparison",
        "period_grain",
        "period_start",
        "role",
        "country",
        "band",
        "pay_basis",
    ],
    "claims": ["claim_id"],
    "dim_roles": ["role"],
    "settings": [],
}


def _fingerprint(con, table: str) -> tuple:
    # warehouse.table_fingerprint uses fetchone(), which leaves the result open under DuckDB 2.0
    return tuple(
        con.execute(f"select count(*), coalesce(bit_xor(hash(t::varchar)), 0) from {table} as t").fetchall()[
            0
        ]
    )


def _mixed(given, n_scale: int = 1) -> None:
    roles = [
        ("ai_ml_engineer", "pytorch"),
        ("prompt_engineer", "llm"),
        ("data_scientist", "python"),
        ("software_engineer", "docker"),
    ]
    k = 0
    for year, count in ((2024, 3), (2025, 5)):
        for month in (1, 2, 4, 7):
            for role, skill in roles:
                for _i in range(count * n_scale):
                    k += 1
                    sen = ("entry", "mid", "senior", "manager", "unspecified")[k % 5]
                    pay = (80_000 + 1000 * (k % 40), 120_000 + 1000 * (k % 50)) if k % 3 else None
                    given.posting(
                        f"gh:{k}",
                        posted=f"{year}-{month:02d}-{1 + k % 27:02d}",
                        role=role,
                        seniority=sen,
                        company=f"Co{k % 7}",
                        title_clean=f"{role} {k % 11}",
                        country=("US", "GB")[k % 2],
                        city=f"city{k % 13}",
                        pay=pay,
                        estimate=(k % 10 == 0),
                        skills=(skill, "sql"),
                    )


@pytest.fixture()
def mixed(given):
    _mixed(given)
    given.build(min_base=3)
    return given


def test_every_claim_sql_reproduces_its_value(mixed):
    claims = mixed.rows("select * from marts.claims")
    assert len(claims) > 20
    metrics = {c["metric"] for c in claims}
    assert {
        "new_unique_roles_yoy_change",
        "new_unique_roles_yoy_panel_change",
        "skill_share_of_unique_roles",
        "median_annual_min_usd",
        "median_annual_max_usd",
        "wage_premium_ai_vs_comparable",
        "distinct_ai_titles_yoy_change",
    } <= metrics
    assert any(c["value"] is not None and c["metric"] == "new_unique_roles_yoy_change" for c in claims)
    for claim in claims:
        warehouse.assert_read_only(claim["sql"])
        rows = mixed.con.execute(claim["sql"]).fetchall()
        assert len(rows) == 1, claim["claim_id"]
        value = rows[0][0]
        if claim["value"] is None:
            assert value is None, claim["claim_id"]
        else:
            assert math.isclose(float(value), claim["value"], rel_tol=1e-9), claim["claim_id"]
        assert claim["taxonomy_version"] == "test-v1"
        assert claim["dedup_level"] in {"posting", "unique_role"}
        assert claim["period"] and claim["panel"]


def test_claim_numerator_and_denominator_explain_the_value(mixed):
    for c in mixed.rows(
        "select * from marts.claims where metric = 'new_unique_roles_yoy_change' and value is not null"
    ):
        assert c["value"] == pytest.approx((c["numerator"] - c["denominator"]) / c["denominator"])
        assert c["n"] == c["numerator"] + c["denominator"]


def test_mart_keys_are_unique(mixed):
    built = {
        r[0]
        for r in mixed.con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
    }
    assert built == set(MART_KEYS)
    for name, key in MART_KEYS.items():
        total = mixed.one(f"select count(*) as n from marts.{name}")["n"]
        if not key:
            assert total == 1
            continue
        cols = ", ".join(key)
        distinct = mixed.one(f"select count(*) as n from (select distinct {cols} from marts.{name})")["n"]
        assert total == distinct, name
        nulls = mixed.one(
            f"select count(*) as n from marts.{name} where " + " or ".join(f"{c} is null" for c in key)
        )
        assert nulls["n"] == 0, name


def test_every_mart_and_column_is_documented_and_commented(mixed):
    for name in MART_KEYS:
        doc = yaml.safe_load((SQL_DIR / "marts" / f"{name}.yml").read_text())
        columns = [
            r[0]
            for r in mixed.con.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "order by column_index",
                [name],
            ).fetchall()
        ]
        assert [c["name"] for c in doc["columns"]] == columns, name
        assert doc["grain"] and doc["description"]
        text = (SQL_DIR / "marts" / f"{name}.sql").read_text()
        assert text.startswith(f"-- grain: grain_columns in {name}.yml") and "-- description: " in text
        assert doc["grain_columns"] == MART_KEYS[name]  # the grain the built data was checked against
        missing = mixed.con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "and (comment is null or comment = '')",
            [name],
        ).fetchall()
        assert missing == [], name
    listed = {name: (grain, desc) for name, grain, desc in marts.list_marts(mixed.con)}
    assert set(listed) == set(MART_KEYS)
    assert all(grain and desc for grain, desc in listed.values())


def test_failed_validation_leaves_previous_marts(given):
    _mixed(given)
    first = given.build(min_base=3)
    assert first["status"] == "published"
    before = {n: _fingerprint(given.con, f"marts.{n}") for n in MART_KEYS}
    seen: list[list[str]] = []

    def reject(con, names):
        seen.append(names)
        return False

    given.posting("gh:new", posted="2025-07-20", title_clean="brand new", company="Newco")
    result = given.build(min_base=3, validate=reject)
    assert result["status"] == "validation_failed" and result["published"] is False
    assert set(seen[0]) == set(MART_KEYS)
    after = {n: _fingerprint(given.con, f"marts.{n}") for n in MART_KEYS}
    assert after == before
    # the rejected build is still there to inspect, in marts_rejected (marts_next is rolled back)
    assert (
        given.one(
            "select count(*) as n from marts_rejected.agg_title_growth where period_start = date '2025-07-14' "
            "and period_grain = 'week' and new_postings > 0"
        )["n"]
        > 0
    )
    ok = given.build(min_base=3, validate=lambda con, names: True)
    assert ok["status"] == "published"
    assert _fingerprint(given.con, "marts.agg_title_growth") != before["agg_title_growth"]


def test_rebuild_is_deterministic(mixed):
    before = {n: _fingerprint(mixed.con, f"marts.{n}") for n in MART_KEYS if n != "settings"}
    mixed.build(min_base=3)
    after = {n: _fingerprint(mixed.con, f"marts.{n}") for n in MART_KEYS if n != "settings"}
    assert after == before
