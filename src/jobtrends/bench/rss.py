"""Peak resident memory of a process tree, sampled from outside it (psutil)."""

from __future__ import annotations

import threading
import time
from typing import Any

SAMPLE_SECONDS = 0.1


class TreeRss:
    """Samples the resident memory of a process and all its descendants in a background thread.

    Each sample is (epoch seconds, largest process MB, sum over processes MB, processes). Sampled from
    the parent so the measured stage runs undisturbed; a stage reports its step boundaries (epoch
    seconds) and :meth:`peaks` cuts the timeline by them.
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        import psutil

        self._proc = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.samples: list[tuple[float, float, float, int]] = []
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
            except psutil.Error:  # the stage has exited
                return
            rss = []
            for proc in procs:
                try:
                    rss.append(proc.memory_info().rss / 2**20)
                except psutil.Error:  # a worker exited between listing and reading
                    continue
            if rss:
                self.samples.append((time.time(), max(rss), sum(rss), len(rss)))
            self._stop.wait(self._interval)

    def peaks(self, start: float | None = None, end: float | None = None) -> dict[str, Any]:
        """Peak largest-process and summed RSS (MB) over samples in ``[start, end]`` (all by default)."""
        window = [
            s
            for s in self.samples
            if (start is None or s[0] >= start - self._interval)
            and (end is None or s[0] <= end + self._interval)
        ]
        if not window:
            return {"largest_mb": None, "sum_mb": None, "processes": 0, "samples": 0}
        return {
            "largest_mb": round(max(s[1] for s in window), 1),
            "sum_mb": round(max(s[2] for s in window), 1),
            "processes": max(s[3] for s in window),
            "samples": len(window),
        }
