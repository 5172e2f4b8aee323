"""
### jobtrends nightly ingest

Fetches every enabled source into the landing zone, then loads the landing zone into the raw layer
of the DuckDB warehouse. On success it updates the Asset `jobtrends://warehouse/raw`, which
schedules **jobtrends_build_trends** (normalise → validate/build marts → export).

| | |
|---|---|
| schedule | 03:00 UTC every night (`CronTriggerTimetable("0 3 * * *", timezone="UTC")`) |
| start_date | 2024-01-01 UTC; `catchup=False`: job boards only show what is open *now*, so a missed night cannot be fetched later (history comes in through **jobtrends_backfill**) |
| run date | the run's logical date (or, for a manual run without one, the day it ran): landing files go under `dt=<run date>` |
| retries | 2, exponential backoff from 2 min (capped at 30 min); `max_active_runs=1` |
| data owner | the jobtrends maintainers; writes `<data_dir>/landing/` and `raw.*`/`ops.*` in the warehouse |

**Tasks**

1. `list_sources` — names of the enabled sources (`config/sources.yaml`, or the synthetic sample's
   sources when `JOBTRENDS_SAMPLE=1`). Returns names only: XCom carries references, not data.
2. `ingest_source` — one mapped task per source (dynamic task mapping): fetch and write landing
   files plus a run record. **No DuckDB access**, so these run in parallel (at most 4 per run, to
   stay polite to the boards and light on the workers).
3. `load` — landing → raw, the single DuckDB writer: pool `duckdb_writer` (1 slot) and
   `trigger_rule=all_done`, so it runs whatever happened to the fetches.

**A failing source.** `jobtrends.pipeline.ingest_source` never lets one source break the others:
it catches the error and writes a run record with `status=failed` (the loader moves it into
`ops.source_runs`). The mapped task then **fails on purpose**: the broken source shows red in the
grid under its own name, Airflow retries it with backoff (most fetch failures are outages that
pass), and failure callbacks/alerts fire. Because `load` uses `all_done`, the loader still runs
and loads every source that did land; the DAG run's state follows its leaf (`load`), so the run
and the downstream build succeed while the failed source stays visible in the grid and in
`ops.source_runs`. (Returning success for a failed source would hide it and skip the retries.)
If `list_sources` itself fails (a broken sources file), `load` fails too: nothing was fetched, and
the run must not look successful.

**Re-running a date** is safe: landing files are content-addressed and never rewritten, and the
loader skips files already in its ledger (`ops.landing_files`), so the raw tables do not change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _jobtrends_common import (
    DEFAULT_ARGS,
    RAW_ASSET,
    START_DATE,
    WRITER_POOL,
    WRITER_POOL_SLOTS,
    WRITER_QUEUE,
    fail_fast_on_permanent_errors,
    pipeline_settings,
    run_date_of,
)
from airflow.sdk import CronTriggerTimetable, TriggerRule, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

FETCH_PARALLELISM = 4
"""Mapped fetch tasks running at once per DAG run (each is one process on a worker)."""


class SourceIngestFailed(RuntimeError):
    """A source's fetch failed; the pipeline has already recorded it (run record, status=failed)."""


@dag(
    dag_id="jobtrends_nightly_ingest",
    schedule=CronTriggerTimetable("0 3 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    # One run at a time: two runs would load the same warehouse (the pool serialises the loaders
    # anyway) and fetch the same boards twice.
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=3),
    default_args=DEFAULT_ARGS,
    tags=["jobtrends", "ingest", "duckdb"],
    doc_md=__doc__,
)
def jobtrends_nightly_ingest() -> None:
    @task
    def list_sources() -> list[str]:
        from jobtrends import pipeline

        with fail_fast_on_permanent_errors():
            return list(pipeline.list_sources(pipeline_settings()))

    @task(
        map_index_template="{{ source_name }}",
        max_active_tis_per_dagrun=FETCH_PARALLELISM,
        execution_timeout=timedelta(minutes=20),
    )
    def ingest_source(source_name: str) -> dict[str, Any]:
        """Fetch and land one source; fail (after the pipeline recorded it) if the fetch failed."""
        from jobtrends import pipeline

        context = get_current_context()
        context["source_name"] = source_name  # type: ignore[typeddict-unknown-key]  # map index label
        with fail_fast_on_permanent_errors():
            summary = pipeline.ingest_source(pipeline_settings(), source_name, run_date_of(context))
        if str(summary.get("status", "")).lower() == "failed":
            raise SourceIngestFailed(f"source {source_name!r} failed: {summary.get('error') or summary}")
        return summary

    @task(
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        trigger_rule=TriggerRule.ALL_DONE,
        outlets=[RAW_ASSET],
        execution_timeout=timedelta(minutes=60),
    )
    def load() -> dict[str, Any]:
        """Landing → raw: the only task of this DAG that writes DuckDB."""
        from jobtrends import pipeline

        context = get_current_context()
        if context["ti"].xcom_pull(task_ids="list_sources") is None:
            # all_done also fires when list_sources itself failed (bad sources file): then nothing
            # was fetched, and the run must fail rather than succeed on yesterday's landing zone.
            raise AirflowFailException("list_sources failed: no source was fetched; nothing to load")
        with fail_fast_on_permanent_errors():
            summary = pipeline.load(pipeline_settings())
        context["outlet_events"][RAW_ASSET].extra = {
            "run_date": run_date_of(context).isoformat(),
            "dag_id": context["dag"].dag_id,
            "run_id": context["run_id"],
        }
        return summary

    ingested = ingest_source.expand(source_name=list_sources())
    ingested >> load()


jobtrends_nightly_ingest()
