"""Reliability drills (``make drill``): crash recovery, fuzzing, and a source-failure matrix.

Each drill is a module here with ``run(quick: bool) -> dict`` returning its figures (points
killed, inputs fuzzed, cases served, records lost, ...) and raising ``AssertionError`` when an
invariant breaks. ``quick`` is the reduced version that CI runs.
"""

from __future__ import annotations

DRILLS: tuple[str, ...] = ("crash", "fuzz", "sources")
