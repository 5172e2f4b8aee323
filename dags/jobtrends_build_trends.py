"""
### jobtrends build trends

Turns the raw layer into published marts and Parquet exports:
normalise, fanned out (`plan_normalise` → `normalise_slice` × N → `merge_normalised`) → `build`
(dedup, staging → intermediate → `marts_next`, Great Expectations validation, atomic publish into
`marts`) → `export` (Parquet per mart under `<exports>/<run date>/` and `latest/`) → `dashboard`
(the offline HTML dashboard of the published marts, `<data_dir>/dashboard/index.html`; updates the
Asset `jobtrends://dashboard/index.html`).

| | |
|---|---|
| schedule | the Asset `jobtrends://warehouse/raw` — runs after every successful load (nightly or backfill); several updates while a build runs collapse into one next run |
| start_date | 2024-01-01 UTC; `catchup=False` (asset-scheduled: there is nothing to catch up) |
| run date | the `run_date` carried by the triggering asset events (latest one), else the day the run was created; exports go under that date |
| retries | 2, exponential backoff from 2 min (capped at 30 min); `max_active_runs=1` |
| data owner | the jobtrends maintainers; writes `normalised.*`, `staging.*`, `intermediate.*`, `marts*`, `ops.validation_results`, `<data_dir>/exports/` |

**Normalise on many workers** (`jobtrends.fanout`). `plan_normalise` (the writer) exports the raw
rows still to normalise as Parquet slices (`JOBTRENDS_NORMALISE_SLICE_ROWS` rows each) to the parts
location (`JOBTRENDS_PARTS_URL`: a path, default `<data_dir>/parts`, or `s3://bucket/prefix`);
`normalise_slice`, one mapped task per slice on the default queue, normalises its slice **without
DuckDB** and writes a Parquet part (its rule-error counts in the part's metadata); `merge_normalised`
(the writer) adds the parts' rows not yet in `normalised.postings` and the summed rule errors. A
failed slice is retried alone; re-running a slice or the merge adds nothing twice. With more than
one worker host, the parts location must be shared storage (docs/scaling-out.md).

Every other task opens the DuckDB warehouse, so it runs in the pool `duckdb_writer` (1 slot) on the
`duckdb` queue: DuckDB allows a single writer process per file, and the pool keeps these tasks from
overlapping with the nightly or backfill loader, whichever worker they land on.

**Validation.** Rows failing a row-level critical check are quarantined (`ops.quarantine`) and left
out of the marts; the rest is published. `build` raises only on a structural failure or when the
quarantined share of the new batch exceeds `JOBTRENDS_MAX_QUARANTINE_SHARE`: nothing is published
(staging, intermediate and the marts are built and swapped in one transaction, rolled back on
rejection), the run fails and `export` does not run. Results are in `ops.validation_results`.
On success `build` updates the Asset `jobtrends://warehouse/marts` for downstream consumers.

**Re-running** is safe: normalise only picks up raw rows not yet normalised for the current
taxonomy version (a new plan deletes the slices and parts a failed run left behind), marts are rebuilt from scratch, and exports overwrite their date folder.
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
from airflow.sdk import TriggerRule, dag, get_current_context, task

NORMALISE_PARALLELISM = 8
"""Mapped normalise tasks running at once per DAG run (each a process, with up to 2 normaliser workers)."""


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
    def plan_normalise() -> list[dict[str, str]]:
        """Raw rows still to normalise → Parquet slices at the parts location; XCom holds references
        only: one ``{"batch", "slice"}`` per slice, and the batch id under the key ``batch``."""
        from jobtrends import fanout

        with fail_fast_on_permanent_errors():
            planned = fanout.plan(pipeline_settings())
        get_current_context()["ti"].xcom_push(key="batch", value=planned["batch"])
        return [{"batch": planned["batch"], "slice": name} for name in planned["slices"]]

    @task(
        map_index_template="{{ slice_name }}",
        max_active_tis_per_dagrun=NORMALISE_PARALLELISM,
        execution_timeout=timedelta(minutes=60),
    )
    def normalise_slice(ref: dict[str, str]) -> dict[str, Any]:
        """One slice → one Parquet part, on any worker of the default queue: no DuckDB."""
        from jobtrends import fanout

        context = get_current_context()
        context["slice_name"] = ref["slice"]  # type: ignore[typeddict-unknown-key]  # map index label
        with fail_fast_on_permanent_errors():
            return fanout.normalise_slice(pipeline_settings(), ref["batch"], ref["slice"])

    @task(
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        # no slice (nothing new to normalise) skips the mapped task: the merge still runs
        trigger_rule=TriggerRule.NONE_FAILED,
        execution_timeout=timedelta(minutes=60),
    )
    def merge_normalised() -> dict[str, Any]:
        """Parts → ``normalised.postings`` and ``ops.normalise_errors`` (idempotent): the DuckDB writer."""
        from jobtrends import fanout

        batch = get_current_context()["ti"].xcom_pull(task_ids="plan_normalise", key="batch")
        with fail_fast_on_permanent_errors():
            return fanout.merge(pipeline_settings(), batch)

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

    planned = plan_normalise()
    merged = merge_normalised()
    normalise_slice.expand(ref=planned) >> merged
    planned >> merged >> build() >> export() >> dashboard()


jobtrends_build_trends()
