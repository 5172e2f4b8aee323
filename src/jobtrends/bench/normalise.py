"""Benchmark of the batch normaliser (:func:`transform.batch.normalise_table`) on synthetic postings.

``benchmark(n)`` builds ``n`` synthetic postings with ~3 KB descriptions and times :func:`normalise_table`;
``python -m jobtrends.bench.normalise 100000 [distinct share]`` runs it from a shell.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import time
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transform.batch import INPUT_COLUMNS, normalise_table

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
        postings = normalise_table(table, workers=workers)
        seconds += time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += (
            time.process_time() - c0 + (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        )
        skill_rows += pc.sum(pc.list_value_length(postings.column("skill_ids"))).as_py() or 0
        with_pay += size - postings.column("salary_currency").null_count
        del table, postings
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
