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
