"""The DAGs on a real Airflow, driven only through the REST API, on a free loopback port with a
temporary AIRFLOW_HOME and data dir:

- `airflow standalone` (scheduler, dag-processor, triggerer, api-server, LocalExecutor, SQLite)
  started by ``scripts/airflow_standalone.sh``;
- the CeleryExecutor (``scripts/airflow_celery.sh``): Debian's ``redis-server`` as broker on a free
  port, api-server, scheduler, dag-processor and TWO ``airflow celery worker`` processes; the build
  fans normalise out over them (``jobtrends.fanout``), and the marts must equal those of the
  one-process path on the same snapshot.

Each test triggers the nightly ingest on the offline sample, waits for it and for the build that its
Asset update schedules, then checks the warehouse. Every wait is bounded; a failure shows the states
of the task instances and the tail of the Airflow and task logs. Everything is shut down by killing
the process group. Slow (minutes): marked ``scheduler``; `make test-fast` skips them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
NIGHTLY, BUILD = "jobtrends_nightly_ingest", "jobtrends_build_trends"
SAMPLE_DATE = "2026-01-01T00:00:00Z"
SAMPLE_SCALE = os.environ.get("JOBTRENDS_TEST_SAMPLE_SCALE", "0.2")
HEALTHY_WITHIN_S = 300  # ~15 s on an idle machine; minutes on a busy shared one
PARSED_WITHIN_S = 180
RUN_WITHIN_S = 900
# The Celery test: workers, and rows per normalise slice (the sample's snapshot gives several slices).
CELERY_WORKERS = os.environ.get("JOBTRENDS_TEST_CELERY_WORKERS", "2")
SLICE_ROWS = "60"

pytestmark = [pytest.mark.scheduler, pytest.mark.xdist_group("airflow")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Airflow:
    """A running `airflow standalone` and a tiny REST client for it."""

    def __init__(self, proc: subprocess.Popen, port: int, home: Path, data_dir: Path, log: Path) -> None:
        self.proc, self.port, self.home, self.data_dir, self.log = proc, port, home, data_dir, log
        self.base = f"http://127.0.0.1:{port}"

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            return 0, str(exc)

    def diagnostics(self, dag_id: str | None = None, run_id: str | None = None) -> str:
        parts = []
        if dag_id and run_id:
            status, tis = self.request(
                "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=200"
            )
            if status == 200:
                states = [
                    (t["task_id"], t.get("map_index"), t["state"], t.get("try_number"))
                    for t in tis["task_instances"]
                ]
                parts.append(f"task instances of {dag_id}/{run_id}: {states}")
        if self.proc.poll() is not None:
            parts.append(f"airflow exited with {self.proc.returncode}")
        log_tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-60:])
        parts.append(f"--- tail of {self.log}:\n{log_tail}")
        for path in sorted(self.home.glob("*.log")):  # the Celery set's components log here
            tail = "\n".join(path.read_text(errors="replace").splitlines()[-15:])
            parts.append(f"--- tail of {path.name}:\n{tail}")
        task_logs = sorted((self.home / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)[-3:]
        for path in task_logs:
            tail = "\n".join(path.read_text(errors="replace").splitlines()[-25:])
            parts.append(f"--- tail of {path.relative_to(self.home)}:\n{tail}")
        return "\n".join(parts)

    def wait(self, what: str, timeout_s: float, check: Any, interval_s: float = 2.0) -> Any:
        deadline = time.monotonic() + timeout_s
        last: Any = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"airflow died while waiting for {what}\n{self.diagnostics()}")
            last = check()
            if last:
                return last
            time.sleep(interval_s)
        pytest.fail(
            f"timed out after {timeout_s:.0f}s waiting for {what} (last: {last!r})\n{self.diagnostics()}"
        )

    def wait_for_run(self, dag_id: str, run_id: str, timeout_s: float) -> dict[str, Any]:
        def finished() -> dict[str, Any] | None:
            status, run = self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            if status == 200 and run["state"] in ("success", "failed"):
                return run
            return None

        run = self.wait(f"{dag_id} run {run_id} to finish", timeout_s, finished)
        assert run["state"] == "success", (
            f"{dag_id} run {run_id} {run['state']}\n{self.diagnostics(dag_id, run_id)}"
        )
        return run


@contextlib.contextmanager
def _launch(tmp_path: Path, script: str, extra_env: dict[str, str] | None = None) -> Iterator[Airflow]:
    """Run ``scripts/<script>`` in a session of its own; yield a client; stop the whole session."""
    port = _free_port()
    home, data_dir, log = tmp_path / "airflow_home", tmp_path / "data", tmp_path / "airflow.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "JOBTRENDS_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW_PORT=str(port),
        AIRFLOW_HOST="127.0.0.1",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        # Check for asset-triggered runs and queued tasks promptly.
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="2",
        JOBTRENDS_DATA_DIR=str(data_dir),
        JOBTRENDS_SAMPLE="1",
        JOBTRENDS_SAMPLE_SCALE=SAMPLE_SCALE,
        PYTHONWARNINGS="ignore",
    )
    env.update(extra_env or {})
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["bash", str(REPO / "scripts" / script)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            start_new_session=True,  # its own process group: killed as a whole below
        )
    af = Airflow(proc, port, home, data_dir, log)
    try:
        yield af
    finally:
        _stop(proc)


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[Airflow]:
    with _launch(tmp_path, "airflow_standalone.sh") as af:
        yield af


def _session_members(sid: int) -> list[int]:
    """Processes of the session we started (task processes get process groups of their own)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    members.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return members


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group (graceful shutdown), then SIGKILL whatever is left of the session."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        proc.poll()  # reap our direct child, or it stays in the list as a zombie
        if not _session_members(proc.pid):
            break
        time.sleep(1)
    for pid in _session_members(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _nightly_then_build(airflow: Airflow) -> dict[str, Any]:
    """Trigger the nightly for the sample date, wait for it and for the build its Asset schedules."""
    started = time.monotonic()
    airflow.wait(
        "the api-server", HEALTHY_WITHIN_S, lambda: airflow.request("GET", "/api/v2/version")[0] == 200
    )
    healthy_s = time.monotonic() - started

    def parsed() -> bool:
        return all(airflow.request("GET", f"/api/v2/dags/{d}")[0] == 200 for d in (NIGHTLY, BUILD))

    airflow.wait("the DAGs to be parsed", PARSED_WITHIN_S, parsed)
    status, pools = airflow.request("GET", "/api/v2/pools/duckdb_writer")
    assert status == 200 and pools["slots"] == 1, pools

    # Trigger first, with run_after = the sample date: unpausing makes the scheduler create its own
    # run for the latest 03:00 (catchup=False still runs the most recent interval), and queued runs
    # start in run_after order, so ours goes first (max_active_runs=1).
    status, run = airflow.request(
        "POST",
        f"/api/v2/dags/{NIGHTLY}/dagRuns",
        {"logical_date": SAMPLE_DATE, "run_after": SAMPLE_DATE, "conf": {}},
    )
    assert status == 200, f"triggering {NIGHTLY}: {status} {run}"
    triggered = time.monotonic()
    for dag_id in (BUILD, NIGHTLY):
        status, body = airflow.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        assert status == 200, f"unpausing {dag_id}: {status} {body}"
    nightly = airflow.wait_for_run(NIGHTLY, run["dag_run_id"], RUN_WITHIN_S)
    nightly_s = time.monotonic() - triggered
    # Keep the scheduler's own nightly run from competing with the build for the two CPUs.
    airflow.request("PATCH", f"/api/v2/dags/{NIGHTLY}", {"is_paused": True})

    def build_run() -> dict[str, Any] | None:
        status, runs = airflow.request("GET", f"/api/v2/dags/{BUILD}/dagRuns?limit=5")
        return runs["dag_runs"][0] if status == 200 and runs["dag_runs"] else None

    build = airflow.wait(f"the Asset to trigger {BUILD}", 120, build_run)
    assert build["run_type"] == "asset_triggered", build
    build_started = time.monotonic()
    build = airflow.wait_for_run(BUILD, build["dag_run_id"], RUN_WITHIN_S)
    return {
        "nightly": nightly,
        "build": build,
        "healthy_s": healthy_s,
        "nightly_s": nightly_s,
        "build_s": time.monotonic() - build_started,
        "total_s": time.monotonic() - started,
    }


def _task_instances(airflow: Airflow, dag_id: str, run: dict[str, Any]) -> list[dict[str, Any]]:
    status, tis = airflow.request(
        "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances?limit=500"
    )
    assert status == 200, tis
    return tis["task_instances"]


def test_nightly_then_asset_triggered_build_on_a_real_scheduler(airflow: Airflow) -> None:
    runs = _nightly_then_build(airflow)
    tis = _task_instances(airflow, NIGHTLY, runs["nightly"])
    fetches = [t for t in tis if t["task_id"] == "ingest_source"]
    assert len(fetches) > 1 and {t["state"] for t in fetches} == {"success"}, fetches

    from jobtrends import warehouse
    from jobtrends.settings import load_settings

    settings = load_settings(data_dir=airflow.data_dir)
    (postings,) = warehouse.query(settings.warehouse_path, "select count(*) from raw.postings")[1][0]
    (marts,) = warehouse.query(
        settings.warehouse_path, "select count(*) from information_schema.tables where table_schema = 'marts'"
    )[1][0]
    assert postings > 0 and marts > 0, (postings, marts)
    print(
        f"\n[scheduler timings] api-server healthy {runs['healthy_s']:.0f}s; nightly run "
        f"{runs['nightly_s']:.0f}s ({len(fetches)} mapped fetches); nightly+build total {runs['total_s']:.0f}s"
    )


# ----------------------------------------------------------------------------- CeleryExecutor

# The one-process path on the same snapshot (what `jobtrends run` does per stage), in a child.
_REFERENCE = """
import sys
from datetime import date
from jobtrends import pipeline
from jobtrends.settings import load_settings

settings = load_settings(sys.argv[1])
day = date.fromisoformat(sys.argv[2])
pipeline.ingest(settings, day)
pipeline.load(settings)
pipeline.normalise(settings)
pipeline.build(settings)
"""


def _clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "JOBTRENDS_"))}
    env.update(JOBTRENDS_SAMPLE="1", JOBTRENDS_SAMPLE_SCALE=SAMPLE_SCALE, JOBTRENDS_DATA_DIR=str(data_dir))
    return env


def _mart_fingerprints(data_dir: Path) -> dict[str, Any]:
    cli = Path(sys.executable).with_name("jobtrends")
    out = subprocess.run(
        [str(cli), "--data-dir", str(data_dir), "marts", "--fingerprints", "--format", "json"],
        capture_output=True,
        text=True,
        env=_clean_env(data_dir),
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _workload_counts(home: Path) -> dict[str, dict[str, int]]:
    """Per worker log: how many task workloads of each task id it executed."""
    counts: dict[str, dict[str, int]] = {}
    for log in sorted(home.glob("worker*.log")):
        per_task: dict[str, int] = {}
        for line in log.read_text(errors="replace").splitlines():
            if "Executing workload in Celery" in line and "task_id=" in line:
                task_id = line.split("task_id=", 1)[1].split("/", 1)[0]
                per_task[task_id] = per_task.get(task_id, 0) + 1
        counts[log.stem] = per_task
    return counts


@pytest.fixture
def celery_airflow(tmp_path: Path) -> Iterator[Airflow]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs Debian's redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    extra = {
        "REDIS_PORT": str(_free_port()),
        "CELERY_WORKERS": CELERY_WORKERS,
        "CELERY_CONCURRENCY": "2",
        "JOBTRENDS_NORMALISE_SLICE_ROWS": SLICE_ROWS,
    }
    with _launch(tmp_path, "airflow_celery.sh", extra) as af:
        yield af


def test_nightly_and_build_on_two_celery_workers_equal_the_one_process_path(
    celery_airflow: Airflow, tmp_path: Path
) -> None:
    airflow = celery_airflow
    reference_dir = tmp_path / "reference"
    with open(tmp_path / "reference.log", "w") as out:
        reference = subprocess.Popen(
            [sys.executable, "-c", _REFERENCE, str(reference_dir), SAMPLE_DATE[:10]],
            env=_clean_env(reference_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        runs = _nightly_then_build(airflow)
        assert reference.wait(timeout=RUN_WITHIN_S) == 0, (tmp_path / "reference.log").read_text()[-3000:]
    finally:
        if reference.poll() is None:
            reference.kill()

    tis = _task_instances(airflow, BUILD, runs["build"])
    slices = [t for t in tis if t["task_id"] == "normalise_slice"]
    assert len(slices) > 1 and {t["state"] for t in slices} == {"success"}, slices
    assert {t["queue"] for t in slices} == {"default"}
    writers = {t["task_id"]: t["queue"] for t in tis if t["task_id"] != "normalise_slice"}
    assert set(writers.values()) == {"duckdb"}, writers
    workloads = _workload_counts(airflow.home)
    assert len(workloads) == int(CELERY_WORKERS), workloads
    assert all(sum(per_task.values()) > 0 for per_task in workloads.values()), f"an idle worker: {workloads}"
    assert sum(w.get("normalise_slice", 0) for w in workloads.values()) >= len(slices), workloads

    # the same marts as the one-process path, and the same normalised rows
    assert _mart_fingerprints(airflow.data_dir) == _mart_fingerprints(reference_dir)
    from jobtrends import warehouse

    prints = []
    for data_dir in (airflow.data_dir, reference_dir):
        with warehouse.connect(data_dir / "warehouse.duckdb", read_only=True) as con:
            prints.append(warehouse.table_fingerprint(con, "normalised.postings", exclude=("normalised_at",)))
    assert prints[0] == prints[1] and prints[0][0] > 0, prints
    # the merge left only its summary behind
    batches = list((airflow.data_dir / "parts").iterdir())
    assert [sorted(p.name for p in b.iterdir()) for b in batches] == [["merged.json"]], batches
    print(
        f"\n[celery timings] {CELERY_WORKERS} worker(s) x 2 slots; api-server healthy {runs['healthy_s']:.0f}s; "
        f"nightly {runs['nightly_s']:.0f}s; build {runs['build_s']:.0f}s ({len(slices)} slices); "
        f"total {runs['total_s']:.0f}s; workloads per worker {workloads}"
    )
