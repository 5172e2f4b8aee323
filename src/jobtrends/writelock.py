"""One writer at a time: a file lock beside the warehouse (``warehouse.duckdb.lock``).

DuckDB allows one writing process per database file; two writers used to end in a traceback or a
ConstraintException. Every command and Airflow task that writes the warehouse or the exports takes
:func:`writer_lock` first (the pipeline stages in :mod:`jobtrends.pipeline` do, so the CLI and the DAGs
share it). A second writer waits up to ``wait_s`` seconds, then gets :class:`WriterBusy`, whose message
names the holder (pid, command, since); the CLI prints it as one line and exits 75 (EX_TEMPFAIL).
Readers (``query``, ``report``) never take it.

The lock is ``flock`` on an open file: the kernel drops it when the holder exits, however it exits, so
a crashed writer never leaves a stale lock (the holder text it leaves is overwritten by the next one).
It is reentrant within a process: ``run`` holds it while its stages take it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jobtrends.errors import BusyError

EXIT_BUSY = 75
"""Exit status of a writer that found the warehouse busy (``EX_TEMPFAIL``: try again later)."""
POLL_S = 0.2


class WriterBusy(BusyError):
    """Another process holds the writer lock (a temporary condition: retry, or wait longer)."""

    def __init__(self, lock_path: Path, holder: dict[str, object] | None, waited_s: float) -> None:
        self.lock_path = lock_path
        self.holder = holder or {}
        who = (
            f"pid {self.holder.get('pid', '?')}, {self.holder.get('command', '?')!s}, "
            f"since {self.holder.get('since', '?')}"
            if self.holder
            else "holder unknown"
        )
        waited = f" after waiting {waited_s:g}s" if waited_s else ""
        super().__init__(
            f"the warehouse is busy: another writer holds {lock_path} ({who}){waited}; "
            "retry later or pass --wait SECONDS"
        )


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def _forget_in_child() -> None:
    """A forked worker (normaliser, GX) must not keep the lock alive after its parent lets go: an flock
    belongs to the open file, which fork shares. Closing the child's copy drops only its reference."""
    global _guard
    _guard = threading.Lock()
    for held in _held.values():
        with contextlib.suppress(OSError):
            os.close(held.fd)
    _held.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def lock_path_for(warehouse_path: Path) -> Path:
    warehouse_path = Path(warehouse_path)
    return warehouse_path.with_name(warehouse_path.name + ".lock")


def current_command() -> str:
    """What a holder is, for the message a waiting writer prints: the Airflow task, else the command line."""
    dag, task = os.environ.get("AIRFLOW_CTX_DAG_ID"), os.environ.get("AIRFLOW_CTX_TASK_ID")
    if dag and task:
        return f"airflow task {dag}.{task}"
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else ["python"]
    return " ".join(argv)[:200]


def read_holder(lock_path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(Path(lock_path).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_locked(warehouse_path: Path) -> bool:
    """True while some process holds the writer lock (a probe; takes and drops it when free)."""
    path = lock_path_for(warehouse_path)
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False


@contextlib.contextmanager
def writer_lock(warehouse_path: Path, *, wait_s: float = 0.0, command: str | None = None) -> Iterator[None]:
    """Hold the writer lock of ``warehouse_path`` for the block (see the module docstring)."""
    path = lock_path_for(warehouse_path)
    key = str(path.resolve())
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield
        finally:
            with _guard:
                held.depth -= 1
        return
    fd = _acquire(path, wait_s)
    try:
        os.ftruncate(fd, 0)
        holder = {
            "pid": os.getpid(),
            "command": command or current_command(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        with _guard:
            _held[key] = _Held(fd, 1)
        yield
    finally:
        with _guard:
            mine = _held.pop(key, None)
        # the holder text stays: the next holder overwrites it, and an unlocked file means free
        if mine is not None:  # else a forked child, which closed its copy already
            os.close(fd)


def _acquire(path: Path, wait_s: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, wait_s)
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise WriterBusy(path, read_holder(path), round(time.monotonic() - started, 1)) from None
            time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
        except BaseException:
            os.close(fd)
            raise
