"""Score :func:`transform.salary.parse_pay` against a labelled file in the ``salaries_*.csv`` format.

Columns: ``text,source,salary_min,salary_max,currency,period,annual_min,annual_max,is_estimate,note``.
Empty cells mean "none" and are scored like any other answer; rows whose note is ``ote`` are not scored.
The headline is the exact-match rate of ``(salary_min, salary_max, currency, period)``.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transform.evaluation import accuracy, per_class_prf
from transform.salary import parse_pay
from transform.tables import render_table

__all__ = ["SalaryReport", "evaluate"]

KEY_FIELDS = ("salary_min", "salary_max", "currency", "period")
ALL_FIELDS = (*KEY_FIELDS, "annual_min", "annual_max", "is_estimate")
_NUMERIC = {"salary_min", "salary_max", "annual_min", "annual_max"}


def _gold_value(name: str, raw: str | None) -> Any:
    raw = (raw or "").strip()
    if raw == "":
        return None
    if name in _NUMERIC:
        return float(raw.replace(",", ""))
    if name == "is_estimate":
        return raw.lower() in ("true", "1", "yes")
    return raw


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=0.01)
    return a == b


def _is_ote(note: str) -> bool:
    return "ote" in {part.strip().lower() for part in re.split(r"[;,]", note or "")}


@dataclass
class _Row:
    text: str
    source: str
    gold: dict[str, Any]
    pred: dict[str, Any]

    @property
    def key_match(self) -> bool:
        return all(_same(self.gold[f], self.pred[f]) for f in KEY_FIELDS)

    @property
    def has_pay(self) -> bool:
        return any(self.gold[f] is not None for f in ("salary_min", "salary_max"))

    def severity(self) -> float:
        """Bigger = worse: pay found where there is none (or missed) first, then relative error."""
        g_pay = self.has_pay
        p_pay = self.pred["salary_min"] is not None or self.pred["salary_max"] is not None
        if g_pay != p_pay:
            return 10.0
        err = 0.0
        for f in ("salary_min", "salary_max"):
            g, p = self.gold[f], self.pred[f]
            if g is None or p is None:
                err += 1.0 if g != p else 0.0
            else:
                err += abs(g - p) / max(abs(g), 1.0)
        if self.gold["currency"] != self.pred["currency"] or self.gold["period"] != self.pred["period"]:
            err += 1.0
        return err


@dataclass
class SalaryReport:
    """Evaluation result; ``render`` for people, ``as_dict`` for machines."""

    path: str
    rows: list[_Row] = field(default_factory=list)
    skipped_ote: int = 0

    def _rate(self, rows: list[_Row]) -> float:
        return sum(r.key_match for r in rows) / len(rows) if rows else 0.0

    @property
    def exact_match(self) -> float:
        return self._rate(self.rows)

    def field_accuracy(self) -> dict[str, float]:
        return {
            f: accuracy((r.gold[f], r.pred[f]) if not _numeq(r, f) else (0, 0) for r in self.rows)
            for f in ALL_FIELDS
        }

    def misses(self) -> list[_Row]:
        return sorted((r for r in self.rows if not r.key_match), key=lambda r: -r.severity())

    def as_dict(self) -> dict[str, Any]:
        pay = [r for r in self.rows if r.has_pay]
        nopay = [r for r in self.rows if not r.has_pay]
        currency = per_class_prf([(r.gold["currency"], r.pred["currency"]) for r in self.rows])
        period = per_class_prf([(r.gold["period"], r.pred["period"]) for r in self.rows])
        return {
            "labels": self.path,
            "rows_scored": len(self.rows),
            "rows_skipped_ote": self.skipped_ote,
            "exact_match": self.exact_match,
            "exact_match_pay_rows": self._rate(pay),
            "exact_match_no_pay_rows": self._rate(nopay),
            "pay_rows": len(pay),
            "no_pay_rows": len(nopay),
            "field_accuracy": self.field_accuracy(),
            "currency": {str(k): v.as_dict() for k, v in currency.items()},
            "period": {str(k): v.as_dict() for k, v in period.items()},
            "misses": [
                {"text": r.text, "source": r.source, "gold": r.gold, "pred": r.pred} for r in self.misses()
            ],
        }

    def render(self, max_misses: int = 15) -> str:
        d = self.as_dict()
        out = [
            f"salary evaluation: {self.path}",
            f"rows scored {d['rows_scored']} (ote rows skipped: {d['rows_skipped_ote']})",
            f"exact match (min, max, currency, period): {d['exact_match']:.1%}"
            f"  | pay rows {d['exact_match_pay_rows']:.1%} of {d['pay_rows']}"
            f"  | no-pay rows {d['exact_match_no_pay_rows']:.1%} of {d['no_pay_rows']}",
            "",
            render_table(
                ["field", "accuracy"],
                [[f, f"{v:.1%}"] for f, v in d["field_accuracy"].items()],
                max_width=None,
                decimals=3,
            ),
            "",
        ]
        misses = self.misses()[:max_misses]
        out.append(f"worst misses ({len(misses)} of {len(self.misses())}):")
        for r in misses:
            snippet = " ".join(r.text.split())[:140]
            g = tuple(r.gold[f] for f in KEY_FIELDS)
            p = tuple(r.pred[f] for f in KEY_FIELDS)
            out.append(f"- {snippet!r}\n    gold {g}\n    pred {p}")
        return "\n".join(out)


def _numeq(row: _Row, f: str) -> bool:
    """Numeric fields compare with a tolerance (floats from text vs CSV)."""
    g, p = row.gold[f], row.pred[f]
    return f in _NUMERIC and isinstance(g, float) and isinstance(p, float) and _same(g, p)


def evaluate(path: str | Path) -> SalaryReport:
    """Parse every labelled text with :func:`parse_pay` and compare with the labels."""
    report = SalaryReport(str(path))
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            if _is_ote(rec.get("note", "")):
                report.skipped_ote += 1
                continue
            text = rec.get("text") or ""
            gold = {f: _gold_value(f, rec.get(f)) for f in ALL_FIELDS}
            res = parse_pay(text)
            pred: dict[str, Any] = {f: (getattr(res, f) if res is not None else None) for f in ALL_FIELDS}
            for f in _NUMERIC:
                if pred[f] is not None:
                    pred[f] = float(pred[f])
            report.rows.append(_Row(text, rec.get("source") or "", gold, pred))
    return report
