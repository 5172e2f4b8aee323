"""Shared wiring for the jobtrends DAGs (this module defines no DAG).

Everything here is cheap to import: constants, the Assets that connect the DAGs, and helpers that
run *inside* tasks (Airflow Variables/Connections are read at run time, never at parse time; the
pipeline package, which pulls in DuckDB, pyarrow and Great Expectations, is imported lazily).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum
from airflow.sdk import Asset

if TYPE_CHECKING:
    from jobtrends.settings import Settings

# Every task that opens the DuckDB warehouse for writing (load, normalise, build, export) runs in
# this pool. It has ONE slot because DuckDB allows a single writer process per database file: a
# second process opening it fails with "Could not set lock on file". One slot serialises writers
# across all DAGs and runs (nightly load, backfill load, the build) however many workers there
# are; only the mapped fetch tasks, which write landing files and never DuckDB, run in parallel.
# `make airflow` (scripts/airflow_standalone.sh) and `airflow-init` in docker-compose.yml create it.
WRITER_POOL = "duckdb_writer"
WRITER_POOL_SLOTS = 1
# Writer tasks also go to their own Celery queue, consumed by exactly one worker that has the
# warehouse on its local disk (`airflow-worker-duckdb` in docker-compose.yml): the DuckDB file
# then never needs a network file system. LocalExecutor (`make airflow`) ignores queues.
WRITER_QUEUE = "duckdb"

# Data dependencies between the DAGs. The nightly ingest and the backfill update RAW_ASSET when
# their loader succeeds; the build DAG is scheduled on it and updates MARTS_ASSET.
RAW_ASSET = Asset(name="jobtrends_raw", uri="jobtrends://warehouse/raw", group="jobtrends")
MARTS_ASSET = Asset(name="jobtrends_marts", uri="jobtrends://warehouse/marts", group="jobtrends")
# The offline HTML dashboard (<data_dir>/dashboard/index.html), rewritten by the build DAG after each publish.
DASHBOARD_ASSET = Asset(name="jobtrends_dashboard", uri="jobtrends://dashboard/index.html", group="jobtrends")

# Airflow creates no task instances for a run whose logical date is before the start_date, so
# these lie before any date a run may be asked for: the synthetic sample starts in 2024 (nightly
# and build), and historic dumps go back further (backfill).
START_DATE = pendulum.datetime(2024, 1, 1, tz="UTC")
BACKFILL_START_DATE = pendulum.datetime(2000, 1, 1, tz="UTC")
OWNER = "jobtrends"

# Retries with exponential backoff: 2 min, 4 min, (capped at 30 min). Task-level retries sit on
# top of the HTTP client's own short retries, for outages that last minutes rather than seconds.
DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(minutes=30),
}

# Airflow Variables (optional) that override the JOBTRENDS_* environment of the workers.
VAR_DATA_DIR = "jobtrends_data_dir"
VAR_SOURCES_FILE = "jobtrends_sources_file"
# Airflow Connection (optional) holding USAJobs credentials: password = API key, login = e-mail.
USAJOBS_CONN_ID = "usajobs_default"


def _variable(key: str) -> str | None:
    from airflow.sdk import Variable

    value = Variable.get(key, default=None)
    if value is None:
        return None
    return str(value).strip() or None


def _usajobs_credentials() -> tuple[str | None, str | None]:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(USAJOBS_CONN_ID)
    except AirflowNotFoundException:
        return None, None
    return (conn.password or None), (conn.login or None)


def allow_worker_pools() -> None:
    """Let this task process start the loader's and normaliser's worker pools under Celery.

    Celery's prefork pool marks its children daemonic and the task process forked from one inherits
    the mark, so ``multiprocessing`` refuses to start children ("daemonic processes are not allowed
    to have children"). The mark guards against orphans left when a daemon is killed with its
    parent; these pools are joined (or terminated on error) before the task returns.
    """
    import multiprocessing

    process = multiprocessing.current_process()
    if process.daemon:
        process._config["daemon"] = False  # type: ignore[attr-defined]  # the setter refuses a started process


def pipeline_settings() -> Settings:
    """Settings for one task: the environment (``JOBTRENDS_*``), then Airflow overrides.

    - Variable ``jobtrends_data_dir`` moves the warehouse, landing zone and exports under it;
    - Variable ``jobtrends_sources_file`` points at another sources file;
    - Connection ``usajobs_default`` (if defined) supplies the USAJobs API key and e-mail.
    Call it inside a task only: it talks to the Airflow API.
    """
    from jobtrends.settings import load_settings

    allow_worker_pools()  # every task calls this first
    overrides: dict[str, object] = {}
    if sources_file := _variable(VAR_SOURCES_FILE):
        overrides["sources_file"] = Path(sources_file).expanduser()
    api_key, email = _usajobs_credentials()
    if api_key:
        overrides["usajobs_api_key"] = api_key
    if email:
        overrides["usajobs_email"] = email
    return load_settings(data_dir=_variable(VAR_DATA_DIR), **overrides)


def run_date_of(context: Any) -> date:
    """The date a run works for: its logical date, or (manual/asset runs without one) when it ran.

    Never the wall clock at task time, so a retried or cleared task lands under the same date.
    """
    dag_run = context["dag_run"]
    when = dag_run.logical_date or dag_run.run_after
    return when.astimezone(UTC).date()


@contextlib.contextmanager
def fail_fast_on_permanent_errors() -> Iterator[None]:
    """Errors a retry cannot fix fail the task at once instead of burning retries.

    ``UserError`` (bad configuration: unknown source, missing sources file, unsupported file) and
    ``ValidationFailed`` (a critical expectation failed: the data must be fixed first) become
    ``AirflowFailException``; anything else (network, lock, disk) keeps the normal retries.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from jobtrends.errors import UserError
    from jobtrends.pipeline import ValidationFailed

    try:
        yield
    except (UserError, ValidationFailed) as exc:
        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc
