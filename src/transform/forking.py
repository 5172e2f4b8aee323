"""Forked worker pools that finish cleanly wherever they run.

A process may inherit a SIGTERM handler that ignores the signal in child processes (Airflow's task runner
returns early when the pid is not its own), and ``Pool.terminate()`` would then wait for ever on workers
that never exit. Workers here restore the default handler, and a pool that finished its work is closed
and joined (the workers exit on their own) rather than terminated.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

__all__ = ["available_cores", "can_fork", "forked_pool"]


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one, e.g. in a container
    limited with ``--cpuset-cpus``); the default worker count everywhere."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def _default_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # a SIGTERM that came before this point waited, blocked: it now ends the worker
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@contextlib.contextmanager
def forked_pool(processes: int) -> Iterator[Pool]:
    """A ``fork`` pool of ``processes`` workers: closed and joined after the block, terminated on error.

    Workers are forked with SIGTERM blocked, so a ``terminate()`` that reaches a worker before its
    initializer has restored the default handler is held, not ignored by the inherited handler. The
    pool's threads, which fork any replacement worker, inherit the blocked mask too."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        pool = mp.get_context("fork").Pool(processes, initializer=_default_sigterm)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
