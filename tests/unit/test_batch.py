"""transform.batch.normalise_table: schema, pay precedence, FX, skills rows, worker path."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from transform import batch
from transform.batch import POSTINGS_SCHEMA, SKILLS_SCHEMA, normalise_table


def _table(rows: list[dict]) -> pa.Table:
    cols = {c: [r.get(c) for r in rows] for c in batch.INPUT_COLUMNS}
    schema = pa.schema(
        [
            (c, pa.float64() if c in ("pay_min", "pay_max") else pa.bool_() if c in ("remote", "pay_is_estimate")
             else pa.timestamp("us", tz="UTC") if c == "posted_at" else pa.string())
            for c in batch.INPUT_COLUMNS
        ]
    )  # fmt: skip
    return pa.table(cols, schema=schema)


JAN = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
ROWS = [
    {
        "posting_key": "gh:1", "content_hash": "h1", "title": "Senior Machine Learning Engineer", "company": "Acme",
        "description": "You will use Python and PyTorch.\n\nWe are an equal opportunity employer.",
        "location_text": "London, UK", "pay_min": 80_000.0, "pay_max": 100_000.0, "pay_currency": "GBP",
        "pay_period": "year", "pay_text": "$1 - $2", "posted_at": JAN,
    },
    {
        "posting_key": "gh:2", "content_hash": "h2", "title": "Data Scientist", "company": "Beta",
        "description": "SQL and R. The base salary range is $150,000 - $180,000 per year.",
        "location_text": "New York, NY", "work_mode": "hybrid", "posted_at": JAN,
    },
    {
        "posting_key": "gh:3", "content_hash": "h3", "title": "Account Executive", "company": "Gamma",
        "description": "Sell things. Go-to-market.", "pay_text": "€50k - €60k", "country": "DE", "posted_at": None,
    },
    {"posting_key": "gh:4", "content_hash": "h4", "title": None, "company": None, "description": None},
    {
        "posting_key": "gh:5", "content_hash": "h5", "title": "Data Scientist", "company": "Beta",
        "description": "SQL and R. The base salary range is $150,000 - $180,000 per year.",
        "location_text": "New York, NY", "work_mode": "hybrid", "posted_at": JAN,
    },
]  # fmt: skip


def _by_key(t: pa.Table) -> dict[str, dict]:
    return {r["posting_key"]: r for r in t.to_pylist()}


def test_schema_and_row_per_posting() -> None:
    postings, skills = normalise_table(_table(ROWS), workers=1)
    assert postings.schema == POSTINGS_SCHEMA
    assert skills.schema == SKILLS_SCHEMA
    assert postings.num_rows == len(ROWS)
    assert "normalised_at" not in postings.column_names
    assert postings.column("posting_key").to_pylist() == [r["posting_key"] for r in ROWS]


def test_pay_precedence_and_usd() -> None:
    postings, _ = normalise_table(_table(ROWS), workers=1)
    p = _by_key(postings)
    assert p["gh:1"]["salary_source"] == "structured" and p["gh:1"]["salary_currency"] == "GBP"
    assert p["gh:1"]["fx_rate_month"] == "2024-01"
    assert 95_000 < p["gh:1"]["annual_min_usd"] < 110_000
    assert p["gh:2"]["salary_source"] == "text" and p["gh:2"]["salary_min"] == 150_000
    assert p["gh:2"]["annual_min_usd"] == 150_000
    assert p["gh:3"]["salary_currency"] == "EUR" and p["gh:3"]["annual_max"] == 60_000
    assert p["gh:3"]["fx_rate_month"] is not None  # undated: the current reference month
    assert p["gh:4"]["salary_min"] is None and p["gh:4"]["salary_source"] is None


def test_titles_locations_and_skills() -> None:
    postings, skills = normalise_table(_table(ROWS), workers=1)
    p = _by_key(postings)
    assert p["gh:1"]["country"] == "GB" and p["gh:1"]["city"] == "London"
    assert p["gh:2"]["work_mode"] == "hybrid"
    assert p["gh:1"]["role"] and p["gh:1"]["taxonomy_version"]
    by_post: dict[str, set[str]] = {}
    for r in skills.to_pylist():
        by_post.setdefault(r["posting_key"], set()).add(r["skill_id"])
        assert r["is_core"] is (r["skill_id"] in batch.skills.SKILL_CATEGORIES)
        assert r["category"]
    assert by_post["gh:1"] == {"python", "pytorch"}
    assert by_post["gh:2"] == by_post["gh:5"] == {"sql", "r"}
    assert "gh:3" not in by_post and "gh:4" not in by_post
    # one row per (posting, skill)
    keys = [(r["posting_key"], r["skill_id"]) for r in skills.to_pylist()]
    assert len(keys) == len(set(keys))


def test_missing_optional_columns_and_empty_table() -> None:
    t = _table(ROWS).drop_columns(["pay_is_estimate", "remote", "work_mode"])
    postings, _ = normalise_table(t, workers=1)
    assert postings.num_rows == len(ROWS)
    empty_post, empty_sk = normalise_table(_table([]), workers=1)
    assert empty_post.num_rows == 0 and empty_sk.num_rows == 0


def test_workers_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 7)
    rows = [dict(r, posting_key=f"{r['posting_key']}-{i}") for i in range(8) for r in ROWS]
    t = _table(rows)
    one = normalise_table(t, workers=1)
    two = normalise_table(t, workers=2)
    assert one[0].equals(two[0])
    assert one[1].equals(two[1])


def test_synthetic_benchmark_table_runs() -> None:
    t = batch.synthetic_table(300)
    postings, skills = normalise_table(t, workers=1)
    assert postings.num_rows == 300 and skills.num_rows > 300
    result = batch.benchmark(200, workers=1)
    assert result["rows"] == 200 and result["rows_per_second"] > 0
