"""Errors inside normaliser rules (and the text clean-up they share with the parsers), counted instead
of hidden. It sits in ``ingest``, the lowest layer, because :mod:`ingest.textnorm` records into it.

A normaliser must not stop a batch on one bad input, but an exception in a rule is a bug, not an
answer: it is counted here per rule (with one example input) so the normalise summary, the
``ops.normalise_errors`` table and the acceptance tests on real data can see it. Counts are
per process; batch workers return their :func:`snapshot` to the parent, which merges them.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

_MAX_EXAMPLE_CHARS = 200


@dataclass
class RuleErrors:
    """Per-rule error counts with the first example input and exception of each rule."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, tuple[str, str]] = field(default_factory=dict)

    def merge(self, other: RuleErrors) -> None:
        self.counts.update(other.counts)
        for rule, example in other.examples.items():
            self.examples.setdefault(rule, example)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


_lock = threading.Lock()
_current = RuleErrors()


def record_error(rule: str, exc: BaseException, example: object = None) -> None:
    """Count one exception raised inside ``rule`` (e.g. ``"salary.parse_pay"``) for ``example``."""
    with _lock:
        _current.counts[rule] += 1
        if rule not in _current.examples:
            text = "" if example is None else str(example)[:_MAX_EXAMPLE_CHARS]
            _current.examples[rule] = (text, f"{type(exc).__name__}: {exc}"[:_MAX_EXAMPLE_CHARS])


def snapshot(reset: bool = False) -> RuleErrors:
    """A copy of the counts so far (and start again from zero when ``reset``)."""
    global _current
    with _lock:
        copy = RuleErrors(Counter(_current.counts), dict(_current.examples))
        if reset:
            _current = RuleErrors()
    return copy
