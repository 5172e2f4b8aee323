"""transform.batch.normalise_table: schema, pay precedence, FX, skill lists, worker path, pipelined stream."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from transform import batch
from transform.batch import POSTINGS_SCHEMA, SKILL_DICTIONARY_SCHEMA, normalise_stream, normalise_table


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
    postings = normalise_table(_table(ROWS), workers=1)
    assert postings.schema == POSTINGS_SCHEMA
    assert postings.num_rows == len(ROWS)
    assert "normalised_at" not in postings.column_names
    assert postings.column("posting_key").to_pylist() == [r["posting_key"] for r in ROWS]


def test_pay_precedence_and_usd() -> None:
    postings = normalise_table(_table(ROWS), workers=1)
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
    postings = normalise_table(_table(ROWS), workers=1)
    p = _by_key(postings)
    assert p["gh:1"]["country"] == "GB" and p["gh:1"]["city"] == "London"
    assert p["gh:2"]["work_mode"] == "hybrid"
    assert p["gh:1"]["role"] and p["gh:1"]["taxonomy_version"]
    assert p["gh:1"]["skill_ids"] == ["python", "pytorch"]  # sorted, each once
    assert p["gh:2"]["skill_ids"] == p["gh:5"]["skill_ids"] == ["r", "sql"]
    assert p["gh:3"]["skill_ids"] == [] and p["gh:4"]["skill_ids"] == []


def test_skill_dictionary_covers_every_id() -> None:
    d = batch.skill_dictionary()
    assert d.schema == SKILL_DICTIONARY_SCHEMA
    rows = {r["skill_id"]: r for r in d.to_pylist()}
    assert rows["pytorch"]["category"] == "ml_framework" and rows["pytorch"]["is_core"] is True
    assert all(r["is_core"] is (sid in batch.skills.SKILL_CATEGORIES) for sid, r in rows.items())
    named = {s for r in normalise_table(_table(ROWS), workers=1).column("skill_ids").to_pylist() for s in r}
    assert named <= set(rows)


def test_missing_optional_columns_and_empty_table() -> None:
    t = _table(ROWS).drop_columns(["pay_is_estimate", "remote", "work_mode"])
    postings = normalise_table(t, workers=1)
    assert postings.num_rows == len(ROWS)
    assert normalise_table(_table([]), workers=1).num_rows == 0


def test_workers_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 7)
    rows = [dict(r, posting_key=f"{r['posting_key']}-{i}") for i in range(8) for r in ROWS]
    t = _table(rows)
    one = normalise_table(t, workers=1)
    two = normalise_table(t, workers=2)
    assert one.equals(two)


def test_stream_yields_each_table_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 7)
    tables = [
        _table([dict(r, posting_key=f"{r['posting_key']}-{i}-{j}") for i in range(4) for r in ROWS])
        for j in range(3)
    ]
    out = list(normalise_stream(iter(tables), workers=2))
    assert [t.num_rows for t in out] == [t.num_rows for t in tables]
    for got, table in zip(out, tables, strict=True):
        assert got.equals(normalise_table(table, workers=1))
    assert list(normalise_stream(iter([]))) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_signed_stream_carries_each_descriptions_minhash_signature(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """What the build's near-duplicate step reads back instead of signing: the kernel's signature of each
    row's own description, from the calling process or from forked workers over several tasks."""
    from transform import dedup

    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 7)
    rows = [
        dict(
            r, posting_key=f"{r['posting_key']}-{i}", description=f"{r['description'] or ''} Team {i} of {j}."
        )
        for i in range(4)
        for j, r in enumerate(ROWS)
    ] + [
        dict(ROWS[0], posting_key="gh:empty", description=""),
        dict(ROWS[0], posting_key="gh:null", description=None),
    ]
    tables = [_table(rows[:13]), _table(rows[13:])]

    out = list(normalise_stream(iter(tables), workers=workers, sign=dedup.DEFAULT_NUM_PERM))

    texts = [r["description"] for r in rows]
    expected = dedup.description_signatures(texts, num_perm=dedup.DEFAULT_NUM_PERM)
    postings, signatures = zip(*(batch.split_signatures(t) for t in out), strict=True)
    for got, table in zip(postings, tables, strict=True):
        assert got.equals(normalise_table(table, workers=1))  # the postings are the unsigned stream's
    stored = {r["posting_key"]: r for t in signatures for r in t.to_pylist()}
    assert sorted(stored) == sorted(r["posting_key"] for r in rows)
    assert stored["gh:empty"]["words"] == stored["gh:null"]["words"] == 0  # never grouped
    assert min(expected.words[:-2]) > 0
    for i in range(len(rows)):
        row = stored[rows[i]["posting_key"]]
        assert row["content_hash"] == rows[i]["content_hash"]
        assert (row["words"], row["text_hash"]) == (expected.words[i], expected.text_hash[i])
        assert row["signature"] == expected.values[i].tolist()


def test_an_unsigned_stream_has_no_signature_rows() -> None:
    postings, signatures = batch.split_signatures(normalise_table(_table(ROWS), workers=1))
    assert postings.schema == POSTINGS_SCHEMA and signatures is None


def test_synthetic_benchmark_table_runs() -> None:
    from jobtrends.bench import normalise as normalise_bench

    t = normalise_bench.synthetic_table(300)
    postings = normalise_table(t, workers=1)
    assert postings.num_rows == 300
    assert sum(len(ids) for ids in postings.column("skill_ids").to_pylist()) > 300
    result = normalise_bench.benchmark(200, workers=1)
    assert result["rows"] == 200 and result["rows_per_second"] > 0


def test_synthetic_sample_flag_reads_the_end_of_the_description() -> None:
    marker = batch.SYNTHETIC_SAMPLE_MARKER
    rows = [
        dict(ROWS[0], posting_key="end", description=f"Python.\n\n{marker}"),
        dict(ROWS[0], posting_key="early", description=f"{marker} " + "Python and SQL. " * 40),
        dict(ROWS[0], posting_key="none", description=None),
        dict(ROWS[0], posting_key="real"),
    ]
    flags = {
        r["posting_key"]: r["is_synthetic_sample"]
        for r in normalise_table(_table(rows), workers=1).to_pylist()
    }
    assert flags == {"end": True, "early": False, "none": False, "real": False}


def _failing_location_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the location rule raise inside ``parse_location`` for one city (counted, not hidden)."""
    from transform import locations

    original = locations._parse_text

    def flaky(text: str):  # type: ignore[no-untyped-def]
        if "London" in text:
            raise ValueError("simulated rule bug")
        return original(text)

    monkeypatch.setattr(locations, "_parse_text", flaky)


@pytest.mark.parametrize("workers", [1, 2])
def test_rule_errors_of_every_worker_are_merged(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    from ingest.rule_errors import RuleErrors

    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 7)
    _failing_location_rule(monkeypatch)
    rows = [
        # texts unseen by earlier tests: results are cached per process, so a rule raises once per text
        dict(
            r,
            posting_key=f"{r['posting_key']}-{i}",
            location_text=f"{r.get('location_text') or 'Paris'} {i}w{workers}",
        )
        for i in range(8)
        for r in ROWS
    ]
    errors = RuleErrors()
    out = normalise_table(_table(rows), workers=workers, errors=errors)
    london = sum("London" in (r.get("location_text") or "") for r in rows)
    assert london > 0
    # each distinct London location text raises once per process cache: at least once, at most once per row
    assert 1 <= errors.counts["locations.parse_location"] <= london
    assert set(errors.counts) == {"locations.parse_location"}
    example, error = errors.examples["locations.parse_location"]
    assert "London" in example and error == "ValueError: simulated rule bug"
    failed = [r for r in out.to_pylist() if r["posting_key"].startswith("gh:1-")]
    assert failed and all(r["country"] is None for r in failed)  # the rule's fallback answer, now counted


def test_fx_source_names_the_table_that_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    from transform import fx

    monkeypatch.setattr(fx, "_REFERENCE", None)
    p = _by_key(normalise_table(_table(ROWS), workers=1))
    assert p["gh:1"]["fx_source"] == fx.bundled_table().label and p["gh:1"]["fx_source"].startswith(
        "bundled:"
    )
    assert p["gh:2"]["fx_source"] == "identity"  # USD needs no table
    assert p["gh:4"]["fx_source"] is None  # no pay, nothing converted
    ecb = fx.ecb_table([("2024-01", "GBP", 0.5)], "2024-01-31")
    monkeypatch.setattr(fx, "_REFERENCE", ecb)
    p = _by_key(normalise_table(_table(ROWS), workers=1))
    assert p["gh:1"]["fx_source"] == "ecb:2024-01-31"
    assert p["gh:1"]["annual_min_usd"] == 80_000 / 0.5
