"""transform.forking: pool workers can be terminated even where the parent ignores SIGTERM in children."""

from __future__ import annotations

import os
import signal

import pytest

from transform.forking import can_fork, forked_pool

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


def _sigterm_is_default(_: int) -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def _boom(x: int) -> int:
    if x == 3:
        raise ValueError("boom")
    return x


def test_workers_do_not_inherit_a_sigterm_handler_that_ignores_them() -> None:
    # Airflow's task runner installs this kind of handler: it ignores SIGTERM in any process but its own,
    # so Pool.terminate() would wait for ever on workers that inherited it
    parent = os.getpid()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None if os.getpid() != parent else None)
    try:
        with forked_pool(2) as pool:
            assert pool.map(_sigterm_is_default, range(4)) == [True] * 4
        with pytest.raises(ValueError, match="boom"), forked_pool(2) as pool:
            pool.map(_boom, range(5))  # the error path terminates the workers, and returns
    finally:
        signal.signal(signal.SIGTERM, previous)


_SLOW_WORKERS = """
import os, signal, sys, time
from transform import forking

parent = os.getpid()
signal.signal(signal.SIGTERM, lambda signum, frame: None if os.getpid() != parent else sys.exit(3))
restore = forking._default_sigterm


def slow_start():  # a worker the scheduler runs late: SIGTERM comes before its initializer ran
    time.sleep(0.5)
    restore()


forking._default_sigterm = slow_start
try:
    with forking.forked_pool(2):
        raise RuntimeError("stop at once")
except RuntimeError:
    print("terminated")
"""


def test_a_worker_terminated_before_its_initializer_ran_still_ends() -> None:
    """``terminate()`` signals each worker once; one that got it while still carrying the inherited,
    ignoring handler used to live on, and the pool's join waited for ever (seen in CI under load)."""
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    run = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WORKERS],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a hung pool and its workers are killed together
    )
    try:
        out, err = run.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        pytest.fail("the pool's terminate() waited for ever on a worker that ignored SIGTERM")
    assert run.returncode == 0, err
    assert out.strip() == "terminated"
