"""Benchmark of the quality layer: the normalised suite on a synthetic batch (``make bench``, step ``validate``)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from jobtrends import warehouse
from jobtrends.quality.frames import _arrow
from jobtrends.quality.gx_adapter import _GX, _context, _gx, _to_pandas
from jobtrends.quality.suites import load_expectations
from jobtrends.quality.validate import validate_layer


def validate_batch_benchmark(n_rows: int, *, seed: int = 7) -> dict[str, Any]:
    """Time the normalised suite on an ``n_rows`` synthetic batch (DuckDB → Arrow → pandas → GX).

    Builds ``normalised.postings`` (and the matching ``raw.postings`` dates) in a temporary warehouse,
    then times the same path :func:`validate_layer` takes (frame query → Arrow → pandas → GX → results
    stored); data docs are not rendered. Returns seconds for each step; ``validate_s`` (wall) is the
    number to hold to ≤ 10 s at 1,000,000 rows, ``validate_cpu_s`` shows how much of it was CPU.
    """
    from jobtrends.settings import PROJECT_ROOT, load_settings

    first_import = "module" not in _GX
    _gx()
    import_s = _GX["import_s"] if first_import else 0.0
    started = time.perf_counter()
    _context()
    context_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="jt-qbench-") as tmp:
        settings = load_settings(
            tmp, sql_dir=PROJECT_ROOT / "sql", expectations_dir=PROJECT_ROOT / "expectations"
        )
        with warehouse.connect(Path(tmp) / "bench.duckdb") as con:
            con.execute("set enable_progress_bar = false")
            warehouse.ensure_schema(con, settings.sql_dir)
            t0 = time.perf_counter()
            _synthetic_normalised(con, n_rows, seed)
            build_s = time.perf_counter() - t0
            m = load_expectations(settings, "normalised")
            t0 = time.perf_counter()
            frame = _arrow(con, m.FRAME_SQL)
            frame_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            _to_pandas(frame)
            pandas_s = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            outcome = validate_layer(con, "normalised", run_id="bench", settings=settings, docs=False)
            validate_s, validate_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    return {
        "n_rows": n_rows,
        "expectations": len(outcome.results),
        "success": outcome.success,
        "gx_import_s": round(import_s, 3),
        "context_s": round(context_s, 3),
        "build_synthetic_s": round(build_s, 3),
        "frame_s": round(frame_s, 3),
        "to_pandas_s": round(pandas_s, 3),
        "validate_s": round(validate_s, 3),
        "validate_cpu_s": round(validate_cpu_s, 3),  # all threads; wall ≫ cpu means a busy machine
        "rows_per_s": round(n_rows / validate_s) if validate_s else None,
    }


def _synthetic_normalised(con: Any, n_rows: int, seed: int) -> None:
    """A clean synthetic batch: ~15% `other`, ~40% with pay, a few currencies and countries."""
    con.execute("select setseed(?)", [1.0 / (seed + 1)])
    con.execute(
        """
        insert into raw.postings (posting_key, source, source_id, content_hash, title, posted_at, fetched_at,
                                  landing_file, run_date)
        select 'src' || (i % 7) || ':' || i, 'src' || (i % 7), i::varchar, 'h' || i, 'Engineer ' || i,
               timestamptz '2026-01-01' + to_days((i % 300)::integer), timestamptz '2026-11-01',
               'landing/bench.jsonl', date '2026-11-01'
        from range(?) as t(i)
        """,
        [n_rows],
    )
    con.execute(
        """
        insert into normalised.postings (posting_key, content_hash, taxonomy_version, title_clean, role, seniority,
            is_ai_role, role_confidence, role_rule, salary_min, salary_max, salary_currency, salary_period,
            annual_min, annual_max, annual_min_usd, annual_max_usd, fx_rate_month, salary_source,
            salary_is_estimate, country, work_mode)
        select 'src' || (i % 7) || ':' || i, 'h' || i, '1.0.0', 'engineer',
               roles[1 + (i % 20)::integer], seniorities[1 + (i % 7)::integer], (i % 20) < 9, 0.9, 'bench',
               case when has_pay then lo end, case when has_pay then lo * 1.3 end,
               case when has_pay then currencies[1 + (i % 4)::integer] end, case when has_pay then 'year' end,
               case when has_pay then lo end, case when has_pay then lo * 1.3 end,
               case when has_pay then lo end, case when has_pay then lo * 1.3 end,
               case when has_pay then '2026-01' end, case when has_pay then 'structured' end,
               case when has_pay then false end,
               countries[1 + (i % 5)::integer], modes[1 + (i % 3)::integer]
        from (
            select i, random() < 0.4 as has_pay, 60000 + (i % 1000) * 100.0 as lo,
                   ['ai_ml_engineer', 'mlops_engineer', 'prompt_engineer', 'ai_governance',
                    'forward_deployed_engineer', 'data_scientist', 'research_scientist', 'data_annotator',
                    'ai_product_manager', 'software_engineer', 'data_engineer', 'data_analyst',
                    'devops_engineer', 'product_manager', 'other', 'other', 'other', 'software_engineer',
                    'data_engineer', 'devops_engineer'] as roles,
                   ['intern', 'entry', 'mid', 'senior', 'staff_principal', 'manager', 'unspecified'] as seniorities,
                   ['USD', 'EUR', 'GBP', 'CAD'] as currencies,
                   ['US', 'GB', 'DE', 'CA', 'FR'] as countries,
                   ['remote', 'hybrid', 'onsite'] as modes
            from range(?) as t(i)
        )
        """,
        [n_rows],
    )
