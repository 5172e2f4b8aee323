"""Score :func:`transform.skills.extract_skills` against a labelled ``skills_*.jsonl`` file.

Each line: ``{"id", "source", "title", "text", "skills": [sorted core ids], "tricky": [...]}``. Scores are
micro precision/recall/F1 over (posting, skill) pairs, per-skill P/R/F1, and the worst misses (false
positives and false negatives) with a context snippet around the first matching word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transform.evaluation import ClassScore
from transform.skills import SKILL_CATEGORIES, extract_skills, get_dictionary
from transform.tables import render_table

__all__ = ["SkillsReport", "evaluate"]


@dataclass
class _Miss:
    kind: str  # "FP" | "FN"
    row_id: str
    skill: str
    snippet: str


@dataclass
class SkillsReport:
    """Evaluation result; ``render`` for people, ``as_dict`` for machines."""

    path: str
    rows: int = 0
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    misses: list[_Miss] = field(default_factory=list)
    unknown_gold: set[str] = field(default_factory=set)
    rows_exact: int = 0

    def _prf(self, tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def micro(self) -> tuple[float, float, float]:
        return self._prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))

    def per_skill(self) -> dict[str, ClassScore]:
        out: dict[str, ClassScore] = {}
        for skill in sorted(set(SKILL_CATEGORIES) | set(self.tp) | set(self.fp) | set(self.fn)):
            tp, fp, fn = self.tp.get(skill, 0), self.fp.get(skill, 0), self.fn.get(skill, 0)
            p, r, f = self._prf(tp, fp, fn)
            out[skill] = ClassScore(skill, p, r, f, tp + fn, tp + fp, tp)
        return out

    def as_dict(self) -> dict[str, Any]:
        p, r, f = self.micro
        return {
            "labels": self.path,
            "rows": self.rows,
            "rows_exact": self.rows_exact,
            "micro_precision": p,
            "micro_recall": r,
            "micro_f1": f,
            "true_positives": sum(self.tp.values()),
            "false_positives": sum(self.fp.values()),
            "false_negatives": sum(self.fn.values()),
            "per_skill": {k: v.as_dict() for k, v in self.per_skill().items()},
            "misses": [m.__dict__ for m in self.misses],
            "unknown_gold_ids": sorted(self.unknown_gold),
            "dictionary_version": get_dictionary().version,
        }

    def render(self, max_misses: int = 15) -> str:
        p, r, f = self.micro
        out = [
            f"skills evaluation: {self.path}",
            f"rows {self.rows}, exact rows {self.rows_exact}; micro P {p:.3f}  R {r:.3f}  F1 {f:.3f}"
            f"  (TP {sum(self.tp.values())}, FP {sum(self.fp.values())}, FN {sum(self.fn.values())})",
            "",
        ]
        scored = [s for s in self.per_skill().values() if s.support or s.predicted]
        out.append(
            render_table(
                ["skill", "P", "R", "F1", "gold", "pred"],
                [[s.label, s.precision, s.recall, s.f1, s.support, s.predicted] for s in scored],
                max_width=None,
                decimals=3,
            )
        )
        unseen = [k for k, s in self.per_skill().items() if not s.support and not s.predicted]
        if unseen:
            out += ["", f"core skills with no gold or predicted example here: {', '.join(unseen)}"]
        if self.unknown_gold:
            out += ["", f"gold ids not in the dictionary: {', '.join(sorted(self.unknown_gold))}"]
        shown = self.misses[:max_misses]
        out += ["", f"worst misses ({len(shown)} of {len(self.misses)}):"]
        for m in shown:
            out.append(f"- {m.kind} {m.skill:<22} [{m.row_id}] {m.snippet}")
        return "\n".join(out)


_SNIPPET_HINTS: dict[str, str] = {
    "cpp": r"c\+\+",
    "ci_cd": r"ci/cd|continuous|jenkins|github actions|circleci|buildkite",
    "docker": r"docker|container",
    "kubernetes": r"kubernetes|k8s|eks|gke|aks",
    "terraform": r"terraform|infrastructure as code|iac|pulumi|cloudformation",
    "javascript": r"javascript|typescript|node|\bjs\b",
    "statistics": r"statistic|a/b",
    "machine_learning": r"machine learning|\bml\b",
    "deep_learning": r"deep learning|neural|cnn|convolutional",
    "llm": r"llm|language model|gpt",
    "ai_agents": r"agent",
    "model_monitoring": r"monitor|drift",
    "prompt_engineering": r"prompt",
    "feature_store": r"feature store",
    "scikit_learn": r"scikit|sklearn",
    "tensorflow": r"tensorflow|keras",
    "tableau": r"tableau|power bi|looker",
    "fine_tuning": r"fine.?tun|lora|rlhf",
}


def _snippet(text: str, skill: str, width: int = 60) -> str:
    pattern = _SNIPPET_HINTS.get(skill, r"\b" + re.escape(skill.replace("_", " ")) + r"\b")
    m = re.search(pattern, text, re.I)
    if not m:
        return "(no obvious mention)"
    lo, hi = max(0, m.start() - width), min(len(text), m.end() + width)
    return "…" + " ".join(text[lo:hi].split()) + "…"


def evaluate(path: str | Path) -> SkillsReport:
    """Extract skills from every labelled text and compare with the gold core ids."""
    report = SkillsReport(str(path))
    core = set(SKILL_CATEGORIES)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            text = rec.get("text") or ""
            gold = set(rec.get("skills") or [])
            report.unknown_gold |= gold - core
            pred = set(extract_skills(text).skills)
            report.rows += 1
            report.rows_exact += gold == pred
            for s in gold & pred:
                report.tp[s] = report.tp.get(s, 0) + 1
            for s in pred - gold:
                report.fp[s] = report.fp.get(s, 0) + 1
                report.misses.append(_Miss("FP", str(rec.get("id", "")), s, _snippet(text, s)))
            for s in gold - pred:
                report.fn[s] = report.fn.get(s, 0) + 1
                report.misses.append(_Miss("FN", str(rec.get("id", "")), s, _snippet(text, s)))
    return report
