"""
### jobtrends build trends

Turns the raw layer into published marts and Parquet exports:
`normalise` → `build` (dedup, staging → intermediate → `marts_next`, Great Expectations
validation, atomic publish into `marts`) → `export` (Parquet per mart under
`<exports>/<run date>/` and `latest/`) → `dashboard` (the offline HTML dashboard of the
published marts, `<data_dir>/dashboard/index.html`; updates the Asset `jobtrends://dashboard/index.html`).

| | |
|---|---|
| schedule | the Asset `jobtrends://warehouse/raw` — runs after every successful load (nightly or backfill); several updates while a build runs collapse into one next run |
| start_date | 2024-01-01 UTC; `catchup=False` (asset-scheduled: there is nothing to catch up) |
| run date | the `run_date` carried by the triggering asset events (latest one), else the day the run was created; exports go under that date |
| retries | 2, exponential backoff from 2 min (capped at 30 min); `max_active_runs=1` |
| data owner | the jobtrends maintainers; writes `normalised.*`, `staging.*`, `intermediate.*`, `marts*`, `ops.validation_results`, `<data_dir>/exports/` |

Every task opens the DuckDB warehouse, so every task runs in the pool `duckdb_writer` (1 slot):
DuckDB allows a single writer process per file, and the pool keeps these tasks from overlapping
with the nightly or backfill loader, whichever worker they land on.

**Validation.** Rows failing a row-level critical check are quarantined (`ops.quarantine`) and left
out of the marts; the rest is published. `build` raises only on a structural failure or when the
quarantined share of the new batch exceeds `JOBTRENDS_MAX_QUARANTINE_SHARE`: nothing is published
(staging, intermediate and the marts are built and swapped in one transaction, rolled back on
rejection), the run fails and `export` does not run. Results are in `ops.validation_results`.
On success `build` updates the Asset `jobtrends://warehouse/marts` for downstream consumers.

**Re-running** is safe: normalise only picks up raw rows not yet normalised for the current
taxonomy version, marts are rebuilt from scratch, and exports overwrite their date folder.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from _jobtrends_common import (
    DASHBOARD_ASSET,
    DEFAULT_ARGS,
    MARTS_ASSET,
    RAW_ASSET,
    START_DATE,
    WRITER_POOL,
    WRITER_POOL_SLOTS,
    WRITER_QUEUE,
    fail_fast_on_permanent_errors,
    pipeline_settings,
    run_date_of,
)
from airflow.sdk import dag, get_current_context, task


def _export_date(context: Any) -> date:
    """Latest ``run_date`` among the triggering asset events, else the run's own date."""
    dates = [
        date.fromisoformat(event.extra["run_date"])
        for event in context["triggering_asset_events"].get(RAW_ASSET, [])
        if isinstance(event.extra, dict) and event.extra.get("run_date")
    ]
    return max(dates) if dates else run_date_of(context)


@dag(
    dag_id="jobtrends_build_trends",
    schedule=[RAW_ASSET],
    start_date=START_DATE,
    catchup=False,
    # DuckDB has a single writer per database file: two build runs at once would both open the
    # warehouse for writing and the second would fail with "Could not set lock on file".
    # One active run (plus the 1-slot pool shared with the loaders) keeps the writer single.
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args=DEFAULT_ARGS,
    tags=["jobtrends", "transform", "marts", "duckdb"],
    doc_md=__doc__,
)
def jobtrends_build_trends() -> None:
    @task(
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        execution_timeout=timedelta(minutes=60),
    )
    def normalise() -> dict[str, Any]:
        from jobtrends import pipeline
        from jobtrends.progress import StageProgress

        with fail_fast_on_permanent_errors():  # counts as plain lines in the task log
            return pipeline.normalise(pipeline_settings(), progress=StageProgress(live=False))

    @task(
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        outlets=[MARTS_ASSET],
        execution_timeout=timedelta(minutes=60),
    )
    def build() -> dict[str, Any]:
        """Dedup → staging/intermediate → marts_next → validate → publish (raises on critical failure)."""
        from jobtrends import pipeline
        from jobtrends.progress import StageProgress

        context = get_current_context()
        with fail_fast_on_permanent_errors():  # a critical validation failure is not retried
            return pipeline.build(
                pipeline_settings(), run_id=context["run_id"], progress=StageProgress(live=False)
            )

    @task(
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        execution_timeout=timedelta(minutes=30),
    )
    def export() -> dict[str, Any]:
        from jobtrends import pipeline

        with fail_fast_on_permanent_errors():
            return pipeline.export(pipeline_settings(), _export_date(get_current_context()))

    @task(
        # Read-only, but DuckDB will not open a file another process writes: same pool as the writers.
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        outlets=[DASHBOARD_ASSET],
        execution_timeout=timedelta(minutes=10),
    )
    def dashboard() -> dict[str, Any]:
        """Write the offline HTML dashboard from the marts just published."""
        from jobtrends import pipeline

        with fail_fast_on_permanent_errors():
            return pipeline.dashboard(pipeline_settings())

    normalise() >> build() >> export() >> dashboard()


jobtrends_build_trends()
