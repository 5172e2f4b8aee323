"""Shared metric helpers for the ``eval_*`` modules: per-class P/R/F1, confusion matrix.

All functions are pure. ``pairs`` is an iterable of ``(gold, predicted)`` tuples of hashable labels
(``None`` is a label like any other, e.g. "no salary").

>>> pairs = [("a", "a"), ("a", "b"), ("b", "b")]
>>> accuracy(pairs)
0.6666666666666666
>>> per_class_prf(pairs)["a"].recall
0.5

Their reports are drawn with :func:`transform.tables.render_table` (``max_width=None, decimals=3``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from transform.tables import render_table

__all__ = [
    "ClassScore",
    "accuracy",
    "confusion",
    "macro_f1",
    "per_class_prf",
    "render_confusion",
]

L = TypeVar("L", bound=Hashable)  # a class label: the same type in pairs, labels and the result


@dataclass(frozen=True)
class ClassScore:
    """Scores of one class. ``support`` = gold count; ``predicted`` = predicted count."""

    label: Hashable
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    true_positives: int

    def as_dict(self) -> dict:
        return asdict(self)


def accuracy(pairs: Iterable[tuple[Hashable, Hashable]]) -> float:
    """Share of pairs where gold == predicted; 0.0 for no pairs."""
    items = list(pairs)
    if not items:
        return 0.0
    return sum(1 for g, p in items if g == p) / len(items)


def per_class_prf(pairs: Iterable[tuple[L, L]], labels: Sequence[L] | None = None) -> dict[L, ClassScore]:
    """Precision, recall and F1 per class (0.0 where undefined).

    ``labels`` fixes the classes and their order; by default every label seen in gold or predicted,
    sorted by string form.
    """
    items = list(pairs)
    gold = Counter(g for g, _ in items)
    pred = Counter(p for _, p in items)
    tp = Counter(g for g, p in items if g == p)
    if labels is None:
        labels = sorted(set(gold) | set(pred), key=str)
    out: dict[L, ClassScore] = {}
    for label in labels:
        t, n_pred, n_gold = tp[label], pred[label], gold[label]
        precision = t / n_pred if n_pred else 0.0
        recall = t / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = ClassScore(label, precision, recall, f1, n_gold, n_pred, t)
    return out


def macro_f1(scores: Mapping[L, ClassScore], labels: Iterable[L] | None = None) -> float:
    """Unweighted mean F1 over ``labels`` (default: all classes in ``scores``); 0.0 for none."""
    chosen = list(scores) if labels is None else [lab for lab in labels if lab in scores]
    if not chosen:
        return 0.0
    return sum(scores[lab].f1 for lab in chosen) / len(chosen)


def confusion(
    pairs: Iterable[tuple[Hashable, Hashable]], labels: Sequence[Hashable] | None = None
) -> tuple[list[Hashable], list[list[int]]]:
    """Confusion matrix: ``(labels, matrix)`` with ``matrix[i][j]`` = count of gold ``labels[i]``
    predicted as ``labels[j]``. Labels outside ``labels`` are appended in sorted order."""
    items = list(pairs)
    order = list(labels) if labels is not None else []
    extra = sorted({x for pair in items for x in pair} - set(order), key=str)
    order.extend(extra)
    index = {lab: i for i, lab in enumerate(order)}
    matrix = [[0] * len(order) for _ in order]
    for g, p in items:
        matrix[index[g]][index[p]] += 1
    return order, matrix


def render_confusion(labels: Sequence[Hashable], matrix: Sequence[Sequence[int]], *, abbrev: int = 6) -> str:
    """Confusion matrix as text: rows = gold, columns = predicted (headers cut to ``abbrev`` characters,
    the column order equals the row order); zeros shown as ``.``."""
    headers = ["gold \\ pred"] + [str(lab)[:abbrev] for lab in labels]
    rows = [[str(lab)] + [str(v) if v else "." for v in row] for lab, row in zip(labels, matrix, strict=True)]
    return render_table(headers, rows, max_width=None, align="l" + "r" * len(labels))
