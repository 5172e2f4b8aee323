"""Progress of long stages (fetch, load, normalise, build): bars on a terminal, plain lines in logs.

Pipeline stages take a ``progress`` callable that receives messages. :class:`StageProgress` is such a
callable that can also draw bars: stages report counts with :func:`report_count`, which updates a rich
progress bar (count, percentage, rate, elapsed) when the output is a terminal, and otherwise writes a
plain line at most every ``interval`` seconds (Airflow task logs, CI). A plain callable (``print``, a
logger) gets one plain line per count.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["StageProgress", "format_count", "report_count"]


def format_count(
    stage: str,
    done: int,
    total: int | None,
    unit: str,
    seconds: float | None = None,
    moved: int | None = None,
) -> str:
    """``"normalise: 12,000/23,797 postings (50%, 4,100 postings/s)"``; the rate is ``moved`` (default
    ``done``) per ``seconds``."""
    text = f"{stage}: {done:,}/{total:,} {unit}" if total else f"{stage}: {done:,} {unit}"
    extra = []
    if total:
        extra.append(f"{100 * done / total:.0f}%")
    moved = done if moved is None else moved
    if seconds and seconds > 0 and moved:
        extra.append(f"{moved / seconds:,.0f} {unit}/s")
    return text + (f" ({', '.join(extra)})" if extra else "")


def report_count(
    progress: Callable[[str], None], stage: str, done: int, total: int | None, unit: str
) -> None:
    """Tell ``progress`` that ``done`` of ``total`` ``unit`` of ``stage`` are done."""
    count = getattr(progress, "count", None)
    if callable(count):
        count(stage, done, total, unit)
    else:
        progress("  " + format_count(stage, done, total, unit))


@dataclass
class _Stage:
    started: float
    first_done: int
    last_line: float
    task: Any = None


class StageProgress:
    """A ``progress`` callable with bars: messages print as lines, counts draw bars (or throttled lines).

    ``live``: draw bars (default: when ``stream`` is a terminal). Use as a context manager, or call
    :meth:`close` to stop the bars.
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        live: bool | None = None,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.interval = interval
        self.clock = clock
        self._stages: dict[str, _Stage] = {}
        self._bars: Any = None

    def __enter__(self) -> StageProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def __call__(self, message: str) -> None:
        if self._bars is not None:
            self._bars.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream, flush=True)

    def _progress_bars(self) -> Any:
        if self._bars is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bars = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bars.start()
        return self._bars

    def count(self, stage: str, done: int, total: int | None, unit: str) -> None:
        now = self.clock()
        state = self._stages.get(stage)
        if state is None:
            state = self._stages[stage] = _Stage(started=now, first_done=done, last_line=float("-inf"))
        elapsed = now - state.started
        moved = done - state.first_done  # the rate counts what happened since the stage first reported
        if self.live:
            bars = self._progress_bars()
            rate = f"{moved / elapsed:,.0f} {unit}/s" if elapsed > 0 and moved > 0 else ""
            if state.task is None:
                state.task = bars.add_task(stage, total=total, unit=unit, rate=rate)
            bars.update(state.task, completed=done, total=total, rate=rate)
            return
        finished = bool(total) and done >= (total or 0)
        if finished or now - state.last_line >= self.interval:
            state.last_line = now
            line = format_count(stage, done, total, unit, elapsed if moved > 0 else None, moved)
            print("  " + line, file=self.stream, flush=True)
