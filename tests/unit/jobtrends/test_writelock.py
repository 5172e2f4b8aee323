"""One writer at a time: two processes contend for the writer lock beside the warehouse."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobtrends import pipeline, warehouse
from jobtrends.errors import BusyError
from jobtrends.settings import load_settings
from jobtrends.writelock import WriterBusy, is_locked, lock_path_for, writer_lock

JOBTRENDS = Path(sys.executable).with_name("jobtrends")

HOLDER = """
import sys
from pathlib import Path
from jobtrends.writelock import writer_lock
with writer_lock(Path(sys.argv[1]), command="holder-under-test"):
    print("locked", flush=True)
    sys.stdin.readline()
    Path(sys.argv[2]).write_text("released")
"""

WAITER = """
import sys
from pathlib import Path
from jobtrends.writelock import writer_lock
print("trying", flush=True)
with writer_lock(Path(sys.argv[1]), wait_s=120):
    print("saw-release" if Path(sys.argv[2]).exists() else "no-release", flush=True)
"""


class Holder:
    def __init__(self, db: Path, marker: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db), str(marker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    with warehouse.connect(data / "warehouse.duckdb") as con:
        con.execute("create table t as select 1 as x")
    return data


@pytest.fixture()
def holder(data: Path, tmp_path: Path) -> Iterator[Holder]:
    h = Holder(data / "warehouse.duckdb", tmp_path / "released")
    try:
        yield h
    finally:
        if h.proc.poll() is None:
            h.proc.kill()
            h.proc.wait()


def _cli(data: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JOBTRENDS_LOCK_WAIT_S": "0"}
    return subprocess.run(
        [str(JOBTRENDS), "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_a_second_writer_exits_75_with_one_line_naming_the_holder(data: Path, holder: Holder) -> None:
    out = _cli(data, "load")
    assert out.returncode == 75, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert f"pid {holder.proc.pid}" in lines[0]
    assert "holder-under-test" in lines[0] and "since 20" in lines[0]
    assert "--wait" in lines[0]
    assert "Traceback" not in out.stderr
    assert _cli(data, "validate", "--layer", "raw", "--no-docs").returncode == 75
    assert _cli(data, "run", "--sample").returncode == 75
    assert _cli(data, "export").returncode == 75
    assert _cli(data, "fx", "update", "--file", str(data / "none.zip")).returncode == 75


def test_readers_do_not_take_the_lock(data: Path, holder: Holder) -> None:
    out = _cli(data, "query", "select x from t", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["x", "1"]


def test_a_writer_with_wait_runs_when_the_holder_lets_go(data: Path, holder: Holder) -> None:
    waiter = subprocess.Popen(
        [str(JOBTRENDS), "--data-dir", str(data), "load", "--wait", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        holder.release()
        _, err = waiter.communicate(timeout=120)
        assert waiter.returncode == 0, err
    finally:
        if waiter.poll() is None:
            waiter.kill()


def test_the_waiter_gets_the_lock_only_after_the_holder_released(
    data: Path, holder: Holder, tmp_path: Path
) -> None:
    marker = tmp_path / "released"
    waiter = subprocess.Popen(
        [sys.executable, "-c", WAITER, str(data / "warehouse.duckdb"), str(marker)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert waiter.stdout is not None and waiter.stdout.readline().strip() == "trying"
        holder.release()
        assert waiter.stdout.readline().strip() == "saw-release"
        assert waiter.wait(timeout=60) == 0
    finally:
        if waiter.poll() is None:
            waiter.kill()


def test_a_short_wait_gives_up_with_exit_75(data: Path, holder: Holder) -> None:
    out = _cli(data, "load", "--wait", "0.5")
    assert out.returncode == 75
    assert "after waiting" in out.stderr


def test_pipeline_stages_take_the_lock_so_airflow_tasks_retry(data: Path, holder: Holder) -> None:
    settings = load_settings(data)
    for stage in (pipeline.load, pipeline.normalise):
        with pytest.raises(WriterBusy) as info:
            stage(settings)
        # not a UserError: the DAGs fail fast on those, while a busy warehouse is worth a retry
        assert isinstance(info.value, BusyError)
        assert f"pid {holder.proc.pid}" in str(info.value)


def test_the_lock_is_reentrant_and_released_on_exit(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with writer_lock(db), writer_lock(db):
        pass
    assert lock_path_for(db).exists()
    assert not is_locked(db)
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from jobtrends.writelock import writer_lock\n"
         "with writer_lock(sys.argv[1]): pass", str(db)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr


def _child(ready: multiprocessing.synchronize.Event, stop: multiprocessing.synchronize.Event) -> None:
    ready.set()
    stop.wait(60)


def test_a_forked_worker_does_not_keep_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    with writer_lock(db):
        child = ctx.Process(target=_child, args=(ready, stop))
        child.start()
        assert ready.wait(60)
    try:
        assert child.is_alive()
        assert not is_locked(db)
    finally:
        stop.set()
        child.join(60)
