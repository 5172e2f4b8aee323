"""Normalise an Arrow table of ``raw.postings`` rows into ``normalised.postings`` + ``posting_skills`` rows.

Work is split into row ranges processed by up to ``workers`` forked processes (the input table is shared
copy-on-write, so only row-range numbers travel to the workers and compact Arrow batches travel back).
Inside a worker every distinct value is normalised once: titles by (title, company, description),
locations by their field tuple, pay by its field tuple, descriptions by hash (skills, and pay found
in the description text). Skills of many descriptions are found in one automaton pass per block.

``benchmark(n)`` builds ``n`` synthetic postings with ~3 KB descriptions and times :func:`normalise_table`;
``python -m transform.batch 100000`` runs it from a shell (what ``make bench`` can call).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transform import fx, salary, skills
from transform.locations import parse_location
from transform.titles import TAXONOMY_VERSION, classify_title

__all__ = [
    "INPUT_COLUMNS",
    "POSTINGS_SCHEMA",
    "SKILLS_SCHEMA",
    "benchmark",
    "normalise_table",
]

INPUT_COLUMNS: tuple[str, ...] = (
    "posting_key", "content_hash", "title", "company", "description", "location_text", "country", "remote",
    "work_mode", "pay_min", "pay_max", "pay_currency", "pay_period", "pay_text", "pay_is_estimate", "posted_at",
)  # fmt: skip
POSTINGS_SCHEMA = pa.schema(
    [
        ("posting_key", pa.string()), ("content_hash", pa.string()), ("taxonomy_version", pa.string()),
        ("title_clean", pa.string()), ("role", pa.string()), ("seniority", pa.string()),
        ("is_ai_role", pa.bool_()), ("role_confidence", pa.float64()), ("role_rule", pa.string()),
        ("salary_min", pa.float64()), ("salary_max", pa.float64()), ("salary_currency", pa.string()),
        ("salary_period", pa.string()), ("annual_min", pa.float64()), ("annual_max", pa.float64()),
        ("annual_min_usd", pa.float64()), ("annual_max_usd", pa.float64()), ("fx_rate_month", pa.string()),
        ("salary_source", pa.string()), ("salary_is_estimate", pa.bool_()), ("city", pa.string()),
        ("region", pa.string()), ("country", pa.string()), ("work_mode", pa.string()),
    ]
)  # fmt: skip
SKILLS_SCHEMA = pa.schema(
    [
        ("posting_key", pa.string()),
        ("content_hash", pa.string()),
        ("skill_id", pa.string()),
        ("category", pa.string()),
        ("is_core", pa.bool_()),
    ]
)
#: Rows per task: small enough to balance two workers, big enough to amortise the hand-over.
CHUNK_ROWS = 10_000
#: Descriptions per automaton pass (one joined buffer of ~this many texts).
SCAN_BLOCK = 256
#: Below this many rows the work stays in the calling process (forking costs more than it saves).
MIN_ROWS_PER_WORKER = 20_000
_CACHE_LIMIT = 300_000  # entries per per-process cache before it is cleared (bounds worker memory)

# Set in the parent before forking; workers read the table through these without copying it.
_TABLE: pa.Table | None = None


# ------------------------------------------------------------------------------------------- helpers


def _skill_codes() -> tuple[list[str], list[str], list[bool]]:
    d = skills.get_dictionary()
    ids = sorted(d.categories)
    return ids, [d.categories[i] for i in ids], [i in d.core_ids for i in ids]


def _month_of(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, str) and len(value) >= 7:
        return value[:7]
    return dt.datetime.now(dt.UTC).strftime("%Y-%m")  # undated posting: today's reference rate


class _Caches:
    """Per-process memo tables (cleared when large, so worker memory stays bounded)."""

    def __init__(self) -> None:
        self.title: dict[tuple, Any] = {}
        self.loc: dict[tuple, Any] = {}
        self.pay: dict[tuple, Any] = {}
        self.desc_pay: dict[tuple, Any] = {}
        self.skills: dict[tuple[int, int], int] = {}
        self.signal: dict[tuple[int, int], bool] = {}
        self.fx: dict[tuple[str, str], tuple[float | None, str | None]] = {}
        self.desc_mode: dict[tuple[int, int], str | None] = {}
        self.para_mode: dict[str, str | None] = {}

    def trim(self) -> None:
        for cache in (
            self.title,
            self.loc,
            self.pay,
            self.desc_pay,
            self.skills,
            self.signal,
            self.desc_mode,
            self.para_mode,
        ):
            if len(cache) > _CACHE_LIMIT:
                cache.clear()


_CACHES = _Caches()


_MODE_RANK = {"hybrid": 0, "remote": 1, "onsite": 2}


def _description_mode(desc: str, dk: tuple[int, int], caches: _Caches) -> str | None:
    """Work mode stated by a description, as ``parse_location(None, description=…)`` reads it, but per
    distinct paragraph: its rule is "hybrid, else remote, else onsite" over the text, which a union over
    paragraphs reproduces, and boilerplate paragraphs repeat across postings."""
    hit = caches.desc_mode.get(dk, caches.desc_mode)
    if hit is not caches.desc_mode:
        return hit
    best: str | None = None
    for para in desc.split("\n\n") if "\n\n" in desc else (desc,):
        mode = caches.para_mode.get(para, caches.para_mode)
        if mode is caches.para_mode:
            mode = parse_location(None, description=para).work_mode if para.strip() else None
            caches.para_mode[para] = mode
        if mode is not None and (best is None or _MODE_RANK.get(mode, 9) < _MODE_RANK.get(best, 9)):
            best = mode
    caches.desc_mode[dk] = best
    return best


def _rate(currency: str | None, month: str) -> tuple[float | None, str | None]:
    key = (currency or "", month)
    hit = _CACHES.fx.get(key)
    if hit is None:
        found = fx.rate(currency, month)
        hit = (found[0], found[1]) if found else (None, None)
        _CACHES.fx[key] = hit
    return hit


# ------------------------------------------------------------------------------------------- worker

_PAY_FIELDS = ("pay_min", "pay_max", "pay_currency", "pay_period", "pay_text", "pay_is_estimate")
_NO_PAY = (None,) * 11


def _months(t: pa.Table) -> list[str | None]:
    """``YYYY-MM`` of ``posted_at`` per row, computed by Arrow (no per-row datetime objects)."""
    col = t.column("posted_at")
    try:
        if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
            return pc.strftime(col, format="%Y-%m").to_pylist()
        return pc.utf8_slice_codeunits(col.cast(pa.string()), 0, 7).to_pylist()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return [_month_of(v) for v in col.to_pylist()]


def _pay_row(pr: Any, month: str | None) -> tuple[Any, ...]:
    """The 11 salary columns of one row (USD with the reference rate of the posting's month)."""
    if pr is None:
        return _NO_PAY
    rate, used = _rate(pr.currency, month or _month_of(None)) if pr.currency else (None, None)
    amin = pr.annual_min / rate if rate and pr.annual_min is not None else None
    amax = pr.annual_max / rate if rate and pr.annual_max is not None else None
    return (
        pr.salary_min, pr.salary_max, pr.currency, pr.period, pr.annual_min, pr.annual_max,
        amin, amax, used if rate else None, pr.source, pr.is_estimate,
    )  # fmt: skip


def _process(start: int, stop: int) -> tuple[pa.RecordBatch, np.ndarray, np.ndarray]:
    """Normalise rows ``[start, stop)`` of the shared table; returns the postings batch and the
    (row index, skill code) pairs."""
    assert _TABLE is not None
    t = _TABLE.slice(start, stop - start)
    n = stop - start
    col = {c: t.column(c).to_pylist() for c in INPUT_COLUMNS if c != "posted_at"}
    months = _months(t)
    descs: list[str | None] = col["description"]
    caches = _CACHES
    caches.trim()
    dictionary = skills.get_dictionary()

    # Descriptions: hash once; scan the not-yet-seen ones in blocks (one automaton pass per block).
    dkeys = [(hash(d), len(d)) if isinstance(d, str) else (0, -1) for d in descs]
    seen = caches.skills
    signal = caches.signal
    todo: dict[tuple[int, int], str] = {}
    for k, d in zip(dkeys, descs, strict=True):
        if k not in seen and d is not None and k not in todo:
            todo[k] = d
    keys = list(todo)
    pay_bit = dictionary._pay_bit  # bit positions are indices into dictionary.skill_ids (= _skill_codes ids)
    for b in range(0, len(keys), SCAN_BLOCK):
        block = keys[b : b + SCAN_BLOCK]
        for k, m in zip(block, dictionary.scan_masks([todo[k] for k in block]), strict=True):
            seen[k] = m & ~pay_bit
            signal[k] = bool(m & pay_bit)
    seen.setdefault((0, -1), 0)
    signal.setdefault((0, -1), False)

    title_rows: list[Any] = []
    loc_rows: list[Any] = []
    pay_rows: list[tuple[Any, ...]] = []
    row_masks: list[int] = []
    tcache, lcache, pcache, dcache = caches.title, caches.loc, caches.pay, caches.desc_pay
    titles, companies = col["title"], col["company"]
    locs, countries, remotes, modes = col["location_text"], col["country"], col["remote"], col["work_mode"]
    pay_cols = list(zip(*(col[c] for c in _PAY_FIELDS), strict=True))
    for i in range(n):
        desc = descs[i]
        dk = dkeys[i]
        # Title (the classifier itself decides whether company/description matter for this title).
        tk = (titles[i], companies[i], dk)
        tr = tcache.get(tk)
        if tr is None:
            tr = tcache[tk] = classify_title(titles[i] or "", companies[i], desc)
        title_rows.append(tr)
        # Location: fields and location text first; the description only decides a missing work mode.
        lk = (locs[i], countries[i], remotes[i], modes[i])
        lr = lcache.get(lk)
        if lr is None:
            lr = lcache[lk] = parse_location(
                locs[i], country=countries[i], remote=remotes[i], work_mode=modes[i]
            )
        if lr.work_mode is None and desc:
            mode = _description_mode(desc, dk, caches)
            if mode is not None:
                lr = dataclasses.replace(lr, work_mode=mode)
        loc_rows.append(lr)
        # Pay: structured fields, then pay_text, then the description text.
        pk = (pay_cols[i], countries[i], locs[i])
        pr = pcache.get(pk, pcache)
        if pr is pcache:
            pmin, pmax, cur, per, text, est = pay_cols[i]
            pr = pcache[pk] = salary.parse_pay(
                text, pay_min=pmin, pay_max=pmax, currency=cur, period=per, is_estimate=est,
                country=countries[i], location_text=locs[i],
            )  # fmt: skip
        if pr is None and signal[dk]:
            dpk = (dk, countries[i], locs[i])
            pr = dcache.get(dpk, dcache)
            if pr is dcache:
                # Only paragraphs with a currency sign or pay word can state pay; a very short remainder is
                # parsed in full so it is not mistaken for a bare pay snippet.
                text = dictionary.pay_paragraphs(desc)
                if len(text) <= salary.SHORT_TEXT_CHARS:
                    text = desc
                pr = dcache[dpk] = salary.parse_pay(text, country=countries[i], location_text=locs[i])
        pay_rows.append(_pay_row(pr, months[i]))
        row_masks.append(seen[dk])

    pay_cols_out = list(zip(*pay_rows, strict=True)) if pay_rows else [[] for _ in range(11)]
    data: dict[str, Any] = {
        "posting_key": col["posting_key"],
        "content_hash": col["content_hash"],
        "taxonomy_version": [getattr(r, "taxonomy_version", TAXONOMY_VERSION) for r in title_rows],
        "title_clean": [r.title_clean for r in title_rows],
        "role": [r.role for r in title_rows],
        "seniority": [r.seniority for r in title_rows],
        "is_ai_role": [bool(r.is_ai_role) for r in title_rows],
        "role_confidence": [r.confidence for r in title_rows],
        "role_rule": [r.rule for r in title_rows],
    }
    for name, values in zip(_SALARY_COLUMNS, pay_cols_out, strict=True):
        data[name] = list(values)
    data["city"] = [r.city for r in loc_rows]
    data["region"] = [r.region for r in loc_rows]
    data["country"] = [r.country for r in loc_rows]
    data["work_mode"] = [r.work_mode for r in loc_rows]
    batch = pa.RecordBatch.from_pydict(data, schema=POSTINGS_SCHEMA)
    rows_idx, codes = _decode_masks(row_masks, len(dictionary.skill_ids))
    return batch, rows_idx + start, codes


def _decode_masks(masks: list[int], n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, bit) pairs of the set bits of per-row skill masks, row-major, vectorised with numpy."""
    width = max(1, (n_bits + 7) // 8)
    if not masks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    raw = b"".join(m.to_bytes(width, "little") for m in masks)
    bits = np.unpackbits(
        np.frombuffer(raw, dtype=np.uint8).reshape(len(masks), width), axis=1, bitorder="little"
    )
    rows, cols = np.nonzero(bits)
    return rows.astype(np.int64), cols.astype(np.int32)


_SALARY_COLUMNS = (
    "salary_min", "salary_max", "salary_currency", "salary_period", "annual_min", "annual_max",
    "annual_min_usd", "annual_max_usd", "fx_rate_month", "salary_source", "salary_is_estimate",
)  # fmt: skip


def _process_task(args: tuple[int, int]) -> tuple[pa.RecordBatch, np.ndarray, np.ndarray]:
    return _process(*args)


# ------------------------------------------------------------------------------------------- API


def _conform(table: pa.Table) -> pa.Table:
    """Add missing optional input columns as nulls so the workers can rely on every column."""
    types = {
        "remote": pa.bool_(),
        "pay_min": pa.float64(),
        "pay_max": pa.float64(),
        "pay_is_estimate": pa.bool_(),
    }
    for name in INPUT_COLUMNS:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, types.get(name, pa.string())))
    return table


def normalise_table(table: pa.Table, workers: int | None = None) -> tuple[pa.Table, pa.Table]:
    """Rows for ``normalised.postings`` (all columns but ``normalised_at``) and ``normalised.posting_skills``.

    ``workers``: processes to use (default: up to 2, by CPU count); 1 = in this process.
    """
    global _TABLE
    table = _conform(table)
    n = table.num_rows
    ids, cats, core = _skill_codes()
    if workers is None:
        workers = max(1, min(2, os.cpu_count() or 1))
    workers = max(1, min(workers, n // MIN_ROWS_PER_WORKER or 1))
    ranges = [(a, min(n, a + CHUNK_ROWS)) for a in range(0, n, CHUNK_ROWS)]
    _TABLE = table
    try:
        if workers <= 1 or "fork" not in mp.get_all_start_methods():
            results = [_process_task(r) for r in ranges]
        else:
            with mp.get_context("fork").Pool(workers) as pool:
                results = pool.map(_process_task, ranges, chunksize=1)
    finally:
        _TABLE = None
    batches = [r[0] for r in results]
    postings = (
        pa.Table.from_batches(batches, schema=POSTINGS_SCHEMA) if batches else POSTINGS_SCHEMA.empty_table()
    )
    rows_idx = np.concatenate([r[1] for r in results]) if results else np.zeros(0, dtype=np.int64)
    codes = np.concatenate([r[2] for r in results]) if results else np.zeros(0, dtype=np.int32)
    take = pa.array(rows_idx, type=pa.int64())
    code_arr = pa.array(codes, type=pa.int32())
    skill_table = pa.table(
        {
            "posting_key": table.column("posting_key").take(take),
            "content_hash": table.column("content_hash").take(take),
            "skill_id": pa.array(ids, pa.string()).take(code_arr),
            "category": pa.array(cats, pa.string()).take(code_arr),
            "is_core": pa.array(core, pa.bool_()).take(code_arr),
        },
        schema=SKILLS_SCHEMA,
    )
    return postings, skill_table


# ------------------------------------------------------------------------------------------- benchmark

_SENTENCES = (
    "You will build and deploy machine learning models in Python and SQL on AWS.",
    "Experience with PyTorch or TensorFlow, and with Docker and Kubernetes, is a plus.",
    "We are a fast-growing team that loves to go the extra mile for our customers.",
    "Our R&D group works closely with go-to-market teams to excel at delivery.",
    "You have shipped LLM features, RAG pipelines over a vector database such as Pinecone, and evals.",
    "Familiarity with Spark, Airflow, dbt and Snowflake for large-scale data pipelines.",
    "The base salary range for this role is $150,000 - $210,000 per year plus equity.",
    "We offer a 401(k) match, a $1,500 learning stipend and 20 weeks of parental leave.",
    "Strong statistics background: A/B testing, causal inference and experiment design.",
    "Comfortable with CI/CD (GitHub Actions), Terraform and monitoring model drift in production.",
    "This is a hybrid role based in our London office three days a week.",
    "Nice to have: Go or Rust, C++ for performance-critical code, and TypeScript for tooling.",
    "We raised $80M in Series B funding from top investors and serve 5,000 customers.",
    "Excel at communicating complex ideas to executives and partners across the business.",
    "Fine-tuning open-weight models with LoRA and RLHF, and building AI agents with LangChain.",
    "Computer vision and NLP experience, including deep learning with CNNs and transformers.",
    "Work with Azure ML, SageMaker or Vertex AI to train and serve models at scale.",
    "The team values ownership, kindness, curiosity and clear written communication.",
    "Tableau or Power BI dashboards for stakeholders; advanced Excel skills are required.",
    "Kafka streaming, feature store design (Feast) and MLflow experiment tracking.",
    "Benefits include health, dental and vision insurance, and a home-office allowance.",
    "We are an equal opportunity employer and value diversity at our company.",
    "Salary: €70.000 - €90.000 brutto jährlich, je nach Erfahrung.",
    "Responsibilities include mentoring junior engineers and reviewing designs.",
)
_TITLES = (
    "Senior Machine Learning Engineer", "Data Scientist", "Staff Software Engineer", "AI Research Scientist",
    "Product Manager, AI", "Data Engineer II", "Account Executive", "Lead MLOps Engineer", "Data Analyst",
    "Principal Applied Scientist - LLM", "Backend Engineer (Go)", "Head of Data",
)  # fmt: skip
_LOCATIONS = (
    ("New York, NY", "US", "hybrid"), ("London, UK", "GB", "hybrid"), ("Remote - US", "US", "remote"),
    ("Berlin, Germany", "DE", "onsite"), ("Toronto, ON", "CA", None), ("San Francisco, CA", "US", None),
    ("Bengaluru, India", "IN", "onsite"), (None, None, None),
)  # fmt: skip


def synthetic_table(n: int, *, seed: int = 7, distinct: float = 1.0) -> pa.Table:
    """``n`` raw.postings-like rows with ~3 KB descriptions shaped like ``jobtrends.bench``'s: blank-line
    separated paragraphs drawn from a pool of 600, plus one sentence unique to the row (so every
    description is distinct when ``distinct`` = 1.0; lower values repeat whole descriptions)."""
    rng = random.Random(seed)
    paragraphs = [" ".join(rng.sample(_SENTENCES, 4)) for _ in range(600)]
    halves_a = ["\n\n".join(rng.sample(paragraphs, 5)) for _ in range(1500)]
    halves_b = ["\n\n".join(rng.sample(paragraphs, 6)) for _ in range(1500)]
    n_desc = max(1, int(n * distinct))
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows: dict[str, list[Any]] = {c: [] for c in INPUT_COLUMNS}
    for i in range(n):
        d = i % n_desc
        r = rng.random()
        rows["posting_key"].append(f"bench:{i}")
        rows["content_hash"].append(f"{i:032x}")
        rows["title"].append(rng.choice(_TITLES))
        rows["company"].append(f"Company {rng.randrange(2000)}")
        rows["description"].append(
            f"{halves_a[d % 1500]}\n\nRequisition {d} opened for the {d % 90 + 10}th hiring wave.\n\n"
            f"{halves_b[(d * 7) % 1500]}"
        )
        loc, country, mode = rng.choice(_LOCATIONS)
        rows["location_text"].append(loc)
        rows["country"].append(country)
        rows["remote"].append(mode == "remote" if mode else None)
        rows["work_mode"].append(mode)
        rows["pay_min"].append(float(60_000 + int(r * 300) * 1000) if r < 0.5 else None)
        rows["pay_max"].append(float(90_000 + int(r * 300) * 1000) if r < 0.5 else None)
        rows["pay_currency"].append("USD" if r < 0.5 else None)
        rows["pay_period"].append("year" if r < 0.5 else None)
        rows["pay_text"].append(
            f"${60 + int(r * 200)},000 - ${90 + int(r * 200)},000" if 0.5 <= r < 0.65 else None
        )
        rows["pay_is_estimate"].append(None)
        rows["posted_at"].append(base + dt.timedelta(hours=rng.randrange(24 * 600)))
    schema = pa.schema(
        [(c, pa.string()) for c in INPUT_COLUMNS if c not in ("remote", "pay_min", "pay_max", "pay_is_estimate", "posted_at")]
        + [("remote", pa.bool_()), ("pay_min", pa.float64()), ("pay_max", pa.float64()), ("pay_is_estimate", pa.bool_()), ("posted_at", pa.timestamp("us", tz="UTC"))]
    )  # fmt: skip
    return pa.table(rows, schema=schema)


def benchmark(
    n: int = 100_000, *, workers: int | None = None, distinct: float = 1.0, chunk_rows: int = 100_000
) -> dict[str, Any]:
    """Time :func:`normalise_table` on ``n`` synthetic postings, ``chunk_rows`` per call (as the pipeline
    feeds it); generation time is excluded. Returns rows/s, CPU seconds and peak RSS (MB)."""
    seconds = 0.0
    cpu = 0.0
    skill_rows = with_pay = 0
    input_mb = 0.0
    for start in range(0, n, chunk_rows):
        size = min(chunk_rows, n - start)
        table = synthetic_table(size, seed=7 + start, distinct=distinct)
        input_mb += table.nbytes / 1e6
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        c0, t0 = time.process_time(), time.perf_counter()
        postings, skills_table = normalise_table(table, workers=workers)
        seconds += time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += (
            time.process_time() - c0 + (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        )
        skill_rows += skills_table.num_rows
        with_pay += size - postings.column("salary_currency").null_count
        del table, postings, skills_table
    return {
        "rows": n,
        "distinct_descriptions_share": distinct,
        "input_mb": round(input_mb, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(n / seconds) if seconds else None,
        "skill_rows": skill_rows,
        "with_pay": with_pay,
        "peak_rss_parent_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_largest_child_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


if __name__ == "__main__":  # pragma: no cover - manual benchmark entry point
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    share = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    print(benchmark(size, distinct=share))
