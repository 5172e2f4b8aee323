"""transform.batch normalises each distinct value once per batch: a row's answer must still be its own,
whatever the other rows of the batch (duplicates, nulls, context-sensitive titles, text-only pay)."""

from __future__ import annotations

import datetime as dt
import random

from transform import batch
from transform.batch import normalise_table

from .test_batch import _table

JAN = dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
JUN = dt.datetime(2024, 6, 3, tzinfo=dt.UTC)

# Hand-made rows covering each per-row path: context-sensitive titles with and without company or
# description, a work mode only the description states, pay only in the description, the same pay
# fields in different months (different reference rates), nulls everywhere.
BASE = [
    {"title": "Research Engineer", "company": "Deep Labs", "description": "We train large language models.\n\nPyTorch daily."},
    {"title": "Research Engineer", "company": None, "description": "Materials research on batteries.\n\nExcel."},
    {"title": "Research Engineer", "company": None, "description": None},
    {"title": "Researcher", "company": "Bio Co", "description": ""},
    {"title": "Senior Data Scientist", "company": "Acme", "description": "This role is fully remote.\n\nSQL, Python.",
     "location_text": "Berlin"},
    {"title": "Senior Data Scientist", "company": "Acme", "description": "This is a hybrid role, three days in the office.",
     "location_text": "Berlin"},
    {"title": "Senior Data Scientist", "company": "Acme", "description": "On-site in our lab.",
     "location_text": "Berlin", "work_mode": "remote"},
    {"title": "Software Engineer", "company": "Beta", "description": "Go and Kubernetes.\n\nThe salary is $120,000 - $140,000 per year.",
     "location_text": "Austin, TX"},
    {"title": "Software Engineer", "company": "Beta", "description": "Go and Kubernetes.\n\nNo pay stated here.",
     "location_text": "Austin, TX"},
    {"title": "Software Engineer", "company": "Beta", "description": "Rust.", "location_text": "Austin, TX",
     "pay_min": 100_000.0, "pay_max": 120_000.0, "pay_currency": "EUR", "pay_period": "year", "posted_at": JUN},
    {"title": "Software Engineer", "company": "Beta", "description": "Rust.", "location_text": "Austin, TX",
     "pay_min": 100_000.0, "pay_max": 120_000.0, "pay_currency": "EUR", "pay_period": "year", "posted_at": JAN},
    {"title": "Account Executive", "company": "Gamma", "description": "Sell.", "pay_text": "£40k - £50k",
     "country": "GB", "remote": True},
    {"title": None, "company": None, "description": None, "location_text": None, "posted_at": None},
]  # fmt: skip


def _rows(copies: int, seed: int) -> list[dict]:
    rows = []
    for k in range(copies):
        for j, r in enumerate(BASE):
            rows.append({"posted_at": JAN, **r, "posting_key": f"p{j}", "content_hash": f"h{j}-{k}"})
    random.Random(seed).shuffle(rows)
    return rows


def _alone(row: dict) -> dict:
    """The row normalised in a batch of its own, with cold caches."""
    batch._CACHES.__init__()  # type: ignore[misc]
    (out,) = normalise_table(_table([row]), workers=1).to_pylist()
    return out


def test_each_row_as_if_alone() -> None:
    rows = _rows(copies=4, seed=7)
    expected = {r["posting_key"]: _alone(r) for r in rows}
    batch._CACHES.__init__()  # type: ignore[misc]
    got = normalise_table(_table(rows), workers=1).to_pylist()
    assert [g["content_hash"] for g in got] == [r["content_hash"] for r in rows]  # input order kept
    for g in got:
        want = dict(expected[g["posting_key"]])
        assert g == {**want, "content_hash": g["content_hash"]}


def test_warm_caches_give_the_same_rows() -> None:
    rows = _rows(copies=2, seed=11)
    batch._CACHES.__init__()  # type: ignore[misc]
    cold = normalise_table(_table(rows), workers=1)
    warm = normalise_table(_table(rows[::-1]), workers=1)  # every value now comes from the caches
    assert warm.to_pylist()[::-1] == cold.to_pylist()


def test_paths_are_exercised() -> None:
    """The fixture reaches the per-row paths (else the tests above would prove little)."""
    batch._CACHES.__init__()  # type: ignore[misc]
    out = {r["posting_key"]: r for r in normalise_table(_table(_rows(1, 1)), workers=1).to_pylist()}
    assert out["p4"]["work_mode"] == "remote" and out["p5"]["work_mode"] == "hybrid"  # from the text
    assert out["p6"]["work_mode"] == "remote"  # the field wins over the text
    assert out["p7"]["salary_source"] == "text" and out["p7"]["salary_min"] == 120_000
    assert out["p8"]["salary_min"] is None
    assert out["p9"]["fx_rate_month"] == "2024-06" and out["p10"]["fx_rate_month"] == "2024-01"
    assert out["p0"]["role"] != out["p1"]["role"]  # context decides the same title
    assert out["p12"]["salary_min"] is None and out["p12"]["city"] is None


def test_worker_output_files_are_gone_once_handed_over(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Workers hand their batches over as files in the spool directory; each table's files are removed
    when its postings are yielded (the memory-mapped batches stay readable)."""
    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 9)
    monkeypatch.setattr(batch, "_spool_dir", lambda: str(tmp_path))
    tables = [_table(_rows(copies=3, seed=j)) for j in range(3)]
    outs = []
    for k, out in enumerate(batch.normalise_stream(iter(tables), workers=2)):
        (spool,) = tmp_path.iterdir()
        assert not list(spool.glob(f"chunk-{k}.arrow.*")), "outputs of a handed-over table remain"
        outs.append(out)
    assert list(tmp_path.iterdir()) == []
    for out, table in zip(outs, tables, strict=True):
        assert out.equals(normalise_table(table, workers=1))


def test_stream_of_lazy_batches_equals_stream_of_tables(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Chunks given as iterators of record batches (written to the workers' file one by one), some
    without the optional columns, give the postings of the same chunks given as tables."""
    monkeypatch.setattr(batch, "MIN_ROWS_PER_WORKER", 10)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 9)
    tables = [_table(_rows(copies=3, seed=j)) for j in range(3)]
    tables[1] = tables[1].drop_columns(["remote", "pay_is_estimate"])
    want = [normalise_table(t, workers=1) for t in tables]
    lazy = (iter(t.to_batches(max_chunksize=5)) for t in tables)
    got = list(batch.normalise_stream(lazy, workers=2))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.equals(w)
    single = list(batch.normalise_stream((iter(t.to_batches(max_chunksize=4)) for t in tables), workers=1))
    for g, w in zip(single, want, strict=True):
        assert g.equals(w)
