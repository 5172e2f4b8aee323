"""DAG integrity: every DAG in dags/ imports cleanly and follows the house rules.

Airflow reads its configuration when it is first imported, so the DAGs are parsed in a child
interpreter with a throw-away ``AIRFLOW_HOME`` (this file doubles as that child: ``--facts`` prints
what the tests assert on, ``--guarded`` imports the DAG files with network and file access
patched to raise). The tests here never start a scheduler and never touch the warehouse.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO / "dags"
EXPECTED_DAGS = {"jobtrends_nightly_ingest", "jobtrends_build_trends", "jobtrends_backfill"}
WRITER_POOL = "duckdb_writer"
RAW_URI = "jobtrends://warehouse/raw"
# Modules a DAG file must not pull in at parse time (slow parsing, or I/O on import).
HEAVY_MODULES = ("duckdb", "pyarrow", "great_expectations", "jobtrends.pipeline", "jobtrends.warehouse")
# Tasks that open the DuckDB warehouse for writing (or read it between writers: export, dashboard).
WRITER_TASKS = {
    "jobtrends_nightly_ingest": {"load"},
    "jobtrends_build_trends": {"plan_normalise", "merge_normalised", "build", "export", "dashboard"},
    "jobtrends_backfill": {"load"},
}

pytestmark = pytest.mark.xdist_group("airflow")


# ----------------------------------------------------------------------------- child interpreter


def _child_env(airflow_home: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "JOBTRENDS_"))}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{airflow_home}/airflow.db",
        JOBTRENDS_DATA_DIR=str(data_dir),
        JOBTRENDS_SAMPLE="1",
        PYTHONWARNINGS="ignore",
    )
    return env


def _run_child(mode: str, tmp: Path) -> dict[str, Any]:
    (tmp / "airflow_home").mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, __file__, mode],
        env=_child_env(tmp / "airflow_home", tmp / "data"),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        pytest.fail(
            f"`{mode}` child failed (rc={proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
        )
    return json.loads(lines[-1])


def _seconds(value: Any) -> float | None:
    return value.total_seconds() if value is not None else None


def _collect_facts() -> dict[str, Any]:
    """Parse dags/ the way the dag-processor does and describe every DAG as JSON."""
    from airflow.dag_processing.dagbag import BundleDagBag
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    bag = BundleDagBag(
        dag_folder=DAGS_DIR,
        bundle_path=DAGS_DIR,
        bundle_name="dags-folder",
        known_pools={"default_pool", WRITER_POOL},
    )
    dags: dict[str, Any] = {}
    for dag_id, dag in bag.dags.items():
        timetable = dag.timetable
        tasks = {}
        for t in dag.tasks:
            tasks[t.task_id] = {
                "mapped": isinstance(t, MappedOperator),
                "retries": t.retries,
                "retry_delay": _seconds(t.retry_delay),
                "retry_exponential_backoff": float(t.retry_exponential_backoff),
                "max_retry_delay": _seconds(t.max_retry_delay),
                "execution_timeout": _seconds(t.execution_timeout),
                "pool": t.pool,
                "pool_slots": t.pool_slots,
                "queue": t.queue,
                "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                "outlets": sorted(getattr(o, "uri", str(o)) for o in (t.outlets or [])),
                "max_active_tis_per_dagrun": t.max_active_tis_per_dagrun,
                "owner": t.owner,
                "downstream": sorted(t.downstream_task_ids),
            }
        asset_uris = []
        condition = getattr(timetable, "asset_condition", None)
        if condition is not None:
            asset_uris = sorted(a.uri for a in getattr(condition, "objects", []))
        dags[dag_id] = {
            "file": Path(dag.fileloc).name,
            "tags": sorted(dag.tags),
            "timetable": type(timetable).__name__,
            "cron": getattr(timetable, "expression", None),
            "cron_tz": str(getattr(timetable, "timezone", "")) or None,
            "asset_uris": asset_uris,
            "start_date": dag.start_date.isoformat() if dag.start_date else None,
            "start_date_utc_offset": dag.start_date.utcoffset().total_seconds() if dag.start_date else None,
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "dagrun_timeout": _seconds(dag.dagrun_timeout),
            "doc_md": dag.doc_md or "",
            "params": sorted(dag.params.keys()),
            "tasks": tasks,
        }
    return {
        "import_errors": {str(k): v for k, v in bag.import_errors.items()},
        "warnings": {str(k): list(v) for k, v in bag.captured_warnings.items()},
        "dags": dags,
        "heavy_modules": _heavy_modules(),
    }


def _heavy_modules() -> list[str]:
    return sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in HEAVY_MODULES))


class IOAtImport(AssertionError):
    pass


def _guarded_import() -> dict[str, Any]:
    """Import every DAG file with network, file, Variable and Connection access patched to raise."""
    import builtins
    import importlib.util
    import io
    import socket

    import pendulum  # noqa: F401  (framework imports happen before the guards)
    from airflow.sdk import (  # noqa: F401
        Asset,
        Connection,
        CronTriggerTimetable,
        Param,
        TriggerRule,
        Variable,
        dag,
        get_current_context,
        task,
    )
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException  # noqa: F401

    attempts: list[str] = []

    def refuse(what: str):
        def _raise(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[:2]!r}")
            raise IOAtImport(f"I/O at import time: {what}{args[:2]!r}")

        return _raise

    patches = {
        (socket.socket, "connect"): refuse("socket.connect"),
        (socket, "create_connection"): refuse("socket.create_connection"),
        (socket, "getaddrinfo"): refuse("socket.getaddrinfo"),
        (builtins, "open"): refuse("open"),
        (io, "open"): refuse("io.open"),
        (os, "mkdir"): refuse("os.mkdir"),
        (os, "makedirs"): refuse("os.makedirs"),
        (os, "listdir"): refuse("os.listdir"),
        (os, "scandir"): refuse("os.scandir"),
        (os, "remove"): refuse("os.remove"),
        (os, "replace"): refuse("os.replace"),
        (Variable, "get"): refuse("Variable.get"),
        (Connection, "get"): refuse("Connection.get"),
    }
    originals = {key: getattr(*key) for key in patches}
    sys.path.insert(0, str(DAGS_DIR))
    errors: dict[str, str] = {}
    files = sorted(DAGS_DIR.glob("*.py"))
    for key, fake in patches.items():
        setattr(*key, fake)
    try:
        for path in files:
            spec = importlib.util.spec_from_file_location(f"guarded_{path.stem}", path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except BaseException as exc:  # report, do not crash the child
                errors[path.name] = f"{type(exc).__name__}: {exc}"
    finally:
        for key, original in originals.items():
            setattr(*key, original)
    return {
        "files": [p.name for p in files],
        "errors": errors,
        "attempts": attempts,
        "heavy_modules": _heavy_modules(),
    }


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def child_tmp() -> Path:
    with tempfile.TemporaryDirectory(prefix="jt-dag-integrity-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def facts(child_tmp: Path) -> dict[str, Any]:
    return _run_child("--facts", child_tmp / "facts")


@pytest.fixture(scope="module")
def guarded(child_tmp: Path) -> dict[str, Any]:
    return _run_child("--guarded", child_tmp / "guarded")


def _dag(facts: dict[str, Any], dag_id: str) -> dict[str, Any]:
    assert dag_id in facts["dags"], f"{dag_id} not found; DAGs: {sorted(facts['dags'])}"
    return facts["dags"][dag_id]


# ----------------------------------------------------------------------------- every DAG


def test_dags_import_without_errors(facts: dict[str, Any]) -> None:
    assert facts["import_errors"] == {}, facts["import_errors"]
    assert set(facts["dags"]) == EXPECTED_DAGS


def test_one_dag_per_file_named_after_it(facts: dict[str, Any]) -> None:
    for dag_id, dag in facts["dags"].items():
        assert dag["file"] == f"{dag_id}.py"


def test_parsing_pulls_in_no_heavy_modules(facts: dict[str, Any]) -> None:
    assert facts["heavy_modules"] == [], "DAG files must import the pipeline inside tasks only"


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_states_its_contract(facts: dict[str, Any], dag_id: str) -> None:
    dag = _dag(facts, dag_id)
    assert dag["tags"] and "jobtrends" in dag["tags"]
    assert dag["start_date"] and dag["start_date_utc_offset"] == 0, "start_date must be UTC"
    assert dag["catchup"] is False
    assert dag["max_active_runs"] == 1
    assert dag["dagrun_timeout"] and dag["dagrun_timeout"] > 0
    assert len(dag["doc_md"]) > 200, "doc_md explains the DAG"
    for name in ("schedule", "start_date", "catchup", "retries"):
        assert name in dag["doc_md"], f"doc_md of {dag_id} does not mention {name}"


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_tasks_retry_with_exponential_backoff_and_time_out(facts: dict[str, Any], dag_id: str) -> None:
    for task_id, t in _dag(facts, dag_id)["tasks"].items():
        where = f"{dag_id}.{task_id}"
        assert t["retries"] >= 2, where
        assert t["retry_delay"] and t["retry_delay"] > 0, where
        assert t["retry_exponential_backoff"] > 1, f"{where}: exponential backoff multiplier"
        assert t["max_retry_delay"] and t["max_retry_delay"] >= t["retry_delay"], where
        assert t["execution_timeout"] and t["execution_timeout"] > 0, where
        assert t["owner"] == "jobtrends", where


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_duckdb_writers_share_the_one_slot_pool(facts: dict[str, Any], dag_id: str) -> None:
    tasks = _dag(facts, dag_id)["tasks"]
    for task_id, t in tasks.items():
        if task_id in WRITER_TASKS[dag_id]:
            assert (t["pool"], t["pool_slots"], t["queue"]) == (WRITER_POOL, 1, "duckdb"), task_id
            assert not t["mapped"], f"{task_id} writes DuckDB and must not be mapped"
        else:
            assert t["pool"] != WRITER_POOL, f"{task_id} does not write DuckDB; keep it out of the pool"


def test_no_dag_import_warnings(facts: dict[str, Any]) -> None:
    assert facts["warnings"] == {}


# ----------------------------------------------------------------------------- each DAG's shape


def test_nightly_ingest_shape(facts: dict[str, Any]) -> None:
    dag = _dag(facts, "jobtrends_nightly_ingest")
    assert dag["timetable"] == "CronTriggerTimetable"
    assert dag["cron"] == "0 3 * * *" and dag["cron_tz"] == "UTC"
    tasks = dag["tasks"]
    assert set(tasks) == {"list_sources", "ingest_source", "load"}
    assert tasks["ingest_source"]["mapped"], "one mapped fetch task per source (.expand)"
    assert tasks["ingest_source"]["max_active_tis_per_dagrun"]
    assert tasks["list_sources"]["downstream"] == ["ingest_source"]
    assert tasks["ingest_source"]["downstream"] == ["load"]
    load = tasks["load"]
    assert load["trigger_rule"] == "all_done", "a failed source must not stop the loader"
    assert load["outlets"] == [RAW_URI]


def test_build_trends_shape(facts: dict[str, Any]) -> None:
    dag = _dag(facts, "jobtrends_build_trends")
    assert dag["timetable"] == "AssetTriggeredTimetable"
    assert dag["asset_uris"] == [RAW_URI]
    tasks = dag["tasks"]
    assert set(tasks) == {
        "plan_normalise",
        "normalise_slice",
        "merge_normalised",
        "build",
        "export",
        "dashboard",
    }
    # normalise fans out: one mapped task per slice on the default queue, outside the writer pool
    assert tasks["normalise_slice"]["mapped"] and tasks["normalise_slice"]["queue"] != "duckdb"
    assert tasks["normalise_slice"]["max_active_tis_per_dagrun"]
    assert tasks["plan_normalise"]["downstream"] == ["merge_normalised", "normalise_slice"]
    assert tasks["normalise_slice"]["downstream"] == ["merge_normalised"]
    assert tasks["merge_normalised"]["trigger_rule"] == "none_failed", "no slice must not skip the merge"
    assert tasks["merge_normalised"]["downstream"] == ["build"]
    assert tasks["build"]["downstream"] == ["export"]
    assert tasks["build"]["outlets"] == ["jobtrends://warehouse/marts"]
    assert tasks["export"]["downstream"] == ["dashboard"]
    assert tasks["dashboard"]["outlets"] == ["jobtrends://dashboard/index.html"]


def test_backfill_shape(facts: dict[str, Any]) -> None:
    dag = _dag(facts, "jobtrends_backfill")
    assert dag["timetable"] == "NullTimetable"
    assert dag["params"] == ["end", "fmt", "mapping", "name", "path", "start"]
    tasks = dag["tasks"]
    assert tasks["import_day"]["mapped"]
    assert tasks["load"]["trigger_rule"] == "none_failed"
    assert tasks["load"]["outlets"] == [RAW_URI]
    assert "dempotent" in dag["doc_md"]


# ----------------------------------------------------------------------------- no I/O at import


def test_dag_files_do_no_io_at_import(guarded: dict[str, Any]) -> None:
    assert guarded["errors"] == {}, guarded["errors"]
    assert guarded["attempts"] == []
    assert guarded["heavy_modules"] == []
    assert {f"{d}.py" for d in EXPECTED_DAGS} <= set(guarded["files"])


def test_parsing_creates_nothing_in_the_data_dir(facts: dict[str, Any], child_tmp: Path) -> None:
    assert not (child_tmp / "facts" / "data").exists(), "parsing the DAGs created files in JOBTRENDS_DATA_DIR"


def test_dag_files_import_only_the_task_sdk_from_airflow() -> None:
    for path in sorted(DAGS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] == "airflow":
                    assert name.startswith("airflow.sdk"), f"{path.name}: `{name}` (use airflow.sdk)"


# ----------------------------------------------------------------------------- pure helpers


def _load_dag_module(name: str) -> Any:
    """Import a DAG file in this process (needs Airflow importable; only used for pure helpers)."""
    import importlib.util

    pytest.importorskip("airflow.sdk")
    sys.path.insert(0, str(DAGS_DIR))
    try:
        spec = importlib.util.spec_from_file_location(f"jt_dag_{name}", DAGS_DIR / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(DAGS_DIR))


def test_backfill_plan_imports() -> None:
    plan = _load_dag_module("jobtrends_backfill").plan_imports
    day = date(2025, 3, 1)
    assert plan({}, day) == []
    assert plan({"path": "/d/x.csv"}, day) == [{"path": "/d/x.csv", "run_date": "2025-03-01"}]
    assert plan({"path": "/d/{date}.csv", "start": "2025-02-27", "end": "2025-03-01"}, day) == [
        {"path": "/d/2025-02-27.csv", "run_date": "2025-02-27"},
        {"path": "/d/2025-02-28.csv", "run_date": "2025-02-28"},
        {"path": "/d/2025-03-01.csv", "run_date": "2025-03-01"},
    ]
    assert plan({"path": "/d/x.csv", "start": "2025-01-01", "end": "2025-01-31"}, day) == [
        {"path": "/d/x.csv", "run_date": "2025-01-31"}
    ]
    name = _load_dag_module("jobtrends_backfill").source_name_for
    assert name("/d/postings-{date}.csv") == "postings"
    assert name("/d/{date}.jsonl") == "file"
    assert name("/d/march.csv") is None
    with pytest.raises(ValueError, match="before start"):
        plan({"start": "2025-03-02", "end": "2025-03-01"}, day)
    with pytest.raises(ValueError, match="split the range"):
        plan({"start": "2000-01-01", "end": "2025-01-01"}, day)


# ----------------------------------------------------------------------------- deployment files


def test_scripts_are_valid_bash() -> None:
    for script in ("scripts/airflow_standalone.sh", "scripts/check_compose.sh"):
        subprocess.run(["bash", "-n", str(REPO / script)], check=True)


def test_compose_file_describes_a_celery_deployment() -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in (
        "postgres",
        "redis",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
        "airflow-worker-duckdb",
    ):
        assert name in services, name
        if name != "airflow-init":
            assert "healthcheck" in services[name], f"{name} has no healthcheck"
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert "duckdb_writer 1" in " ".join(services["airflow-init"]["command"])
    assert "--queues duckdb --concurrency 1" in services["airflow-worker-duckdb"]["command"]
    assert "jobtrends-warehouse" in compose["volumes"]
    # files every worker host shares live in the bucket, not in host volumes: landing, exports and the
    # fanned-out normalise's parts
    for name in ("JOBTRENDS_LANDING_URL", "JOBTRENDS_EXPORTS_URL", "JOBTRENDS_PARTS_URL"):
        assert env[name].startswith("s3://"), name
    assert services["airflow-worker"]["build"]["dockerfile"] == "docker/Dockerfile"


def test_env_example_has_no_secrets() -> None:
    for line in (REPO / ".env.example").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            if any(s in key for s in ("KEY", "SECRET", "PASSWORD")) and key != "POSTGRES_PASSWORD":
                assert value.strip() == "", f"{key} must be empty in .env.example"


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "--facts"
    result = _collect_facts() if mode == "--facts" else _guarded_import()
    print(json.dumps(result, default=str))
