"""
### jobtrends backfill (historic import)

Lands historic file dumps (CSV/JSON Lines/... exports of job postings) for a range of dates and
loads them into the raw layer; the loader then updates the Asset `jobtrends://warehouse/raw`, so
**jobtrends_build_trends** rebuilds the marts with the history included.

| | |
|---|---|
| schedule | none — triggered by hand (UI "Trigger" form, `airflow dags trigger`, REST API) |
| start_date | 2000-01-01 UTC (runs dated before it would get no tasks); `catchup=False` |
| retries | 2, exponential backoff from 2 min (capped at 30 min); `max_active_runs=1` |
| data owner | the jobtrends maintainers; writes `<data_dir>/landing/file/...`, `raw.*`, `ops.*` |

**Params** (run conf)

- `start`, `end` — the date range, `YYYY-MM-DD`, inclusive. Both default to the run's logical
  date (so `airflow dags trigger jobtrends_backfill --logical-date 2024-03-01 -c '{"path": ...}'`
  imports exactly one data interval); `end` defaults to `start`.
- `path` — optional. With `{date}` in it (e.g. `/dumps/postings-{date}.csv`) one file per day
  is imported, landed under that day (a day without a file is *skipped*, visibly). Without
  `{date}` the single file is imported once, landed under `end`. Without `path` nothing new is
  landed and the loader just (re)loads whatever the landing zone holds that the warehouse has not
  seen yet — e.g. a landing zone restored from a backup.
- `mapping` — optional JSON object: canonical field → column in the file; unmapped fields use
  same-named columns (as `jobtrends import --map FIELD=COLUMN`).
- `name` — optional source name for postings without a `source` column; default: the file name
  without the date (`postings-{date}.csv` → `postings`), so every day lands as one source.
- `fmt` — optional format (`csv`, `jsonl`, ...); guessed from the file name when empty.

**Tasks**: `plan` (dates → files, references only) → `import_day` (mapped, landing files only,
no DuckDB, up to 2 at once) → `load` (pool `duckdb_writer`, 1 slot: DuckDB's single writer;
runs when no import *failed* — skipped days are fine).

**Idempotent per data interval.** Re-running the same dates (clearing the run, or triggering it
again) leaves the warehouse exactly as it was:
1. the run date comes from the params or the logical date, never from the wall clock;
2. the landing zone is content-addressed: the same file bytes land under the same name, and an
   existing landing file is never rewritten;
3. the loader keeps a ledger of loaded landing files (`ops.landing_files`, landing-relative path + sha256)
   and skips files already loaded; raw rows are keyed by `(source, source_id, content_hash)`.
`tests/dags/test_dag_runs.py` checks this with `warehouse.table_fingerprint` on two runs.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

from _jobtrends_common import (
    BACKFILL_START_DATE,
    DEFAULT_ARGS,
    RAW_ASSET,
    WRITER_POOL,
    WRITER_POOL_SLOTS,
    WRITER_QUEUE,
    fail_fast_on_permanent_errors,
    pipeline_settings,
    run_date_of,
)
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

DATE_PLACEHOLDER = "{date}"
MAX_DAYS = 3660
"""Longest range one run accepts (about ten years of daily files)."""
IMPORT_PARALLELISM = 2


def plan_imports(params: dict[str, Any], default_day: date) -> list[dict[str, str]]:
    """The files to import, one ``{"path", "run_date"}`` per data interval (pure; unit-tested)."""
    start = date.fromisoformat(params["start"]) if params.get("start") else default_day
    end = date.fromisoformat(params["end"]) if params.get("end") else start
    if end < start:
        raise ValueError(f"backfill: end {end} is before start {start}")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise ValueError(f"backfill: {days} days is more than {MAX_DAYS}; split the range")
    path = (params.get("path") or "").strip()
    if not path:
        return []
    if DATE_PLACEHOLDER in path:
        return [
            {"path": path.replace(DATE_PLACEHOLDER, day.isoformat()), "run_date": day.isoformat()}
            for day in (start + timedelta(days=i) for i in range(days))
        ]
    return [{"path": path, "run_date": end.isoformat()}]


def source_name_for(path_template: str) -> str | None:
    """``/d/postings-{date}.csv`` → ``postings``: one source for all days (None: the file stem)."""
    if DATE_PLACEHOLDER not in path_template:
        return None
    stem = Path(path_template).name.split(".")[0].replace(DATE_PLACEHOLDER, "").strip("-_. ")
    return stem or "file"


@dag(
    dag_id="jobtrends_backfill",
    schedule=None,
    start_date=BACKFILL_START_DATE,
    catchup=False,
    # One backfill at a time: its loader writes the DuckDB warehouse (single writer per file).
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    default_args=DEFAULT_ARGS,
    tags=["jobtrends", "backfill", "import", "duckdb"],
    doc_md=__doc__,
    params={
        "start": Param(None, type=["null", "string"], format="date", description="first day, YYYY-MM-DD"),
        "end": Param(None, type=["null", "string"], format="date", description="last day (inclusive)"),
        "path": Param(None, type=["null", "string"], description="file to import; {date} = each day"),
        "mapping": Param(None, type=["null", "object"], description="column mapping (JSON object)"),
        "fmt": Param(None, type=["null", "string"], description="file format; empty = from the name"),
        "name": Param(None, type=["null", "string"], description="source name; empty = from the file name"),
    },
)
def jobtrends_backfill() -> None:
    @task
    def plan() -> list[dict[str, str]]:
        context = get_current_context()
        try:
            return plan_imports(dict(context["params"]), run_date_of(context))
        except ValueError as exc:  # bad params: retrying cannot help
            raise AirflowFailException(str(exc)) from exc

    @task(
        map_index_template="{{ import_run_date }}",
        max_active_tis_per_dagrun=IMPORT_PARALLELISM,
        execution_timeout=timedelta(hours=2),
    )
    def import_day(item: dict[str, str]) -> dict[str, Any]:
        """Land one file for one day (no DuckDB); a missing per-day file is skipped."""
        from jobtrends import pipeline

        context = get_current_context()
        context["import_run_date"] = item["run_date"]  # type: ignore[typeddict-unknown-key]
        params = context["params"]
        templated = DATE_PLACEHOLDER in (params.get("path") or "")
        if templated and not Path(item["path"]).exists():
            raise AirflowSkipException(f"no file for {item['run_date']}: {item['path']}")
        with fail_fast_on_permanent_errors():
            return pipeline.import_file(
                pipeline_settings(),
                item["path"],
                mapping=params.get("mapping") or None,
                fmt=params.get("fmt") or None,
                run_date=date.fromisoformat(item["run_date"]),
                source_name=params.get("name") or source_name_for(params.get("path") or ""),
            )

    @task(
        pool=WRITER_POOL,
        pool_slots=WRITER_POOL_SLOTS,
        queue=WRITER_QUEUE,
        trigger_rule=TriggerRule.NONE_FAILED,
        outlets=[RAW_ASSET],
        execution_timeout=timedelta(hours=2),
    )
    def load() -> dict[str, Any]:
        """Landing → raw (only files not in the ledger yet): the single DuckDB writer."""
        from jobtrends import pipeline

        context = get_current_context()
        with fail_fast_on_permanent_errors():
            summary = pipeline.load(pipeline_settings())
        # The build exports under this date: the day the backfill ran, not a historic date (the
        # marts always cover the whole warehouse, so an old date folder would be misleading).
        ran_on = context["dag_run"].run_after.astimezone(UTC).date()
        context["outlet_events"][RAW_ASSET].extra = {
            "run_date": ran_on.isoformat(),
            "dag_id": context["dag"].dag_id,
            "run_id": context["run_id"],
        }
        return summary

    imported = import_day.expand(item=plan())
    imported >> load()


jobtrends_backfill()
