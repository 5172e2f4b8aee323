"""Score :func:`transform.titles.classify_title` against a labelled titles CSV.

CSV columns as in ``shared/labels/titles_dev.csv``: title, source, company, role, seniority,
needs_context, note. The company is passed as context (the description is not in the file).

Reported: role accuracy overall / on rows without ``needs_context`` / on rows with it, seniority
accuracy, per-class precision/recall/F1 for roles, macro-F1 over AI roles with at least
``MIN_SUPPORT_FOR_MACRO`` gold examples, the role confusion matrix and the worst misses.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from transform.evaluation import (
    ClassScore,
    accuracy,
    confusion,
    macro_f1,
    per_class_prf,
    render_confusion,
)
from transform.tables import render_table
from transform.titles import AI_ROLES, ROLES, TAXONOMY_VERSION, classify_title

__all__ = ["MIN_SUPPORT_FOR_MACRO", "TitleEvalReport", "TitleRow", "evaluate"]

MIN_SUPPORT_FOR_MACRO = 5


@dataclass(frozen=True)
class TitleRow:
    title: str
    company: str
    gold_role: str
    gold_seniority: str
    needs_context: bool
    pred_role: str
    pred_seniority: str
    confidence: float
    rule: str
    note: str = ""

    @property
    def role_ok(self) -> bool:
        return self.gold_role == self.pred_role

    @property
    def seniority_ok(self) -> bool:
        return self.gold_seniority == self.pred_seniority


@dataclass
class TitleEvalReport:
    path: str
    rows: list[TitleRow]
    taxonomy_version: str = TAXONOMY_VERSION
    _scores: dict[str, ClassScore] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._scores = per_class_prf(self._role_pairs(self.rows), labels=list(ROLES))

    # -- metrics ---------------------------------------------------------------------------------
    @staticmethod
    def _role_pairs(rows: list[TitleRow]) -> list[tuple[str, str]]:
        return [(r.gold_role, r.pred_role) for r in rows]

    @property
    def n(self) -> int:
        return len(self.rows)

    @property
    def role_accuracy(self) -> float:
        return accuracy(self._role_pairs(self.rows))

    @property
    def role_accuracy_no_context(self) -> float:
        return accuracy(self._role_pairs([r for r in self.rows if not r.needs_context]))

    @property
    def role_accuracy_context(self) -> float:
        return accuracy(self._role_pairs([r for r in self.rows if r.needs_context]))

    @property
    def seniority_accuracy(self) -> float:
        return accuracy([(r.gold_seniority, r.pred_seniority) for r in self.rows])

    @property
    def macro_f1_labels(self) -> list[str]:
        return [
            role for role in ROLES if role in AI_ROLES and self._scores[role].support >= MIN_SUPPORT_FOR_MACRO
        ]

    @property
    def ai_macro_f1(self) -> float:
        return macro_f1(self._scores, self.macro_f1_labels)

    @property
    def per_class(self) -> dict[str, ClassScore]:
        return self._scores

    def misses(self) -> list[TitleRow]:
        """Wrong rows, the most confident mistakes first (role misses before seniority-only misses)."""
        wrong = [r for r in self.rows if not (r.role_ok and r.seniority_ok)]
        return sorted(wrong, key=lambda r: (r.role_ok, -r.confidence, r.title))

    # -- output ----------------------------------------------------------------------------------
    def as_dict(self) -> dict:
        labels, matrix = confusion(self._role_pairs(self.rows), list(ROLES))
        return {
            "path": self.path,
            "taxonomy_version": self.taxonomy_version,
            "rows": self.n,
            "rows_needs_context": sum(r.needs_context for r in self.rows),
            "role_accuracy": self.role_accuracy,
            "role_accuracy_no_context": self.role_accuracy_no_context,
            "role_accuracy_needs_context": self.role_accuracy_context,
            "seniority_accuracy": self.seniority_accuracy,
            "ai_macro_f1": self.ai_macro_f1,
            "ai_macro_f1_roles": self.macro_f1_labels,
            "per_class": {k: v.as_dict() for k, v in self._scores.items()},
            "confusion": {"labels": labels, "matrix": matrix},
            "misses": [
                {
                    "title": r.title,
                    "company": r.company,
                    "gold_role": r.gold_role,
                    "pred_role": r.pred_role,
                    "gold_seniority": r.gold_seniority,
                    "pred_seniority": r.pred_seniority,
                    "needs_context": r.needs_context,
                    "confidence": r.confidence,
                    "rule": r.rule,
                }
                for r in self.misses()
            ],
        }

    def render(self, max_misses: int = 15) -> str:
        n_ctx = sum(r.needs_context for r in self.rows)
        head = [
            f"titles eval: {self.path} (taxonomy {self.taxonomy_version})",
            f"rows: {self.n} ({self.n - n_ctx} without needs_context, {n_ctx} with)",
            f"role accuracy:                 {self.role_accuracy:.1%}",
            f"role accuracy (no context):    {self.role_accuracy_no_context:.1%}",
            f"role accuracy (needs context): {self.role_accuracy_context:.1%}",
            f"seniority accuracy:            {self.seniority_accuracy:.1%}",
            f"AI-role macro-F1 (roles with >= {MIN_SUPPORT_FOR_MACRO} examples, "
            f"{len(self.macro_f1_labels)} roles): {self.ai_macro_f1:.3f}",
        ]
        per_class = render_table(
            ["role", "ai", "precision", "recall", "f1", "support", "predicted"],
            [
                [
                    s.label,
                    "yes" if s.label in AI_ROLES else "",
                    s.precision,
                    s.recall,
                    s.f1,
                    s.support,
                    s.predicted,
                ]
                for s in self._scores.values()
                if s.support or s.predicted
            ],
            max_width=None,
            decimals=3,
        )
        labels, matrix = confusion(self._role_pairs(self.rows), list(ROLES))
        keep = [i for i, lab in enumerate(labels) if any(matrix[i]) or any(row[i] for row in matrix)]
        conf = render_confusion([labels[i] for i in keep], [[matrix[i][j] for j in keep] for i in keep])
        misses = self.misses()
        miss_rows = [
            [
                r.title.strip()[:60],
                r.company[:18],
                r.gold_role if r.role_ok else f"{r.gold_role} -> {r.pred_role}",
                r.gold_seniority if r.seniority_ok else f"{r.gold_seniority} -> {r.pred_seniority}",
                "ctx" if r.needs_context else "",
                r.rule,
            ]
            for r in misses[: max(0, max_misses)]
        ]
        parts = [
            "\n".join(head),
            "per-class (roles)\n" + per_class,
            "confusion (rows = gold, columns = predicted)\n" + conf,
            f"worst misses ({min(len(misses), max(0, max_misses))} of {len(misses)})\n"
            + render_table(
                ["title", "company", "role", "seniority", "ctx", "rule"],
                miss_rows,
                max_width=None,
                decimals=3,
            ),
        ]
        return "\n\n".join(parts)


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "y", "t")


def evaluate(path: str | Path) -> TitleEvalReport:
    """Classify every row of a labelled titles CSV (company as context) and score it."""
    path = Path(path)
    rows: list[TitleRow] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            title = rec.get("title") or ""
            company = rec.get("company") or ""
            result = classify_title(title, company or None)
            rows.append(
                TitleRow(
                    title=title,
                    company=company,
                    gold_role=(rec.get("role") or "").strip(),
                    gold_seniority=(rec.get("seniority") or "").strip(),
                    needs_context=_bool(rec.get("needs_context")),
                    pred_role=result.role,
                    pred_seniority=result.seniority,
                    confidence=result.confidence,
                    rule=result.rule,
                    note=rec.get("note") or "",
                )
            )
    return TitleEvalReport(path=str(path), rows=rows)
