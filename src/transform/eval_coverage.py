"""Label-free coverage checks of the normalisers on real payloads (``jobtrends eval coverage``).

No labels are needed, so every real text can be checked, including dumps a user imports:

1. **pay coverage** — texts (a source's pay field, or the description) that *look like* they state pay — a currency
   sign, ISO code or currency word next to digits, with a pay word within :data:`PAY_WINDOW` characters
   (not needed in a pay field) and no benefit/funding word right beside it (:data:`NOT_PAY_RE`) — but
   where the normaliser found no pay;
2. **AI title coverage** — titles with AI vocabulary (:data:`AI_VOCABULARY_RE`) that the title
   classifier put outside the AI roles of the taxonomy.

Both detectors are deliberately independent of the rules they check (their own small vocabularies), and
both over-count on purpose: the figures are review queues, not error rates. The postings go through the
same batch normaliser as the pipeline (:func:`transform.batch.normalise_table`), so the checks measure
what the warehouse would store; the rule errors of that run are reported too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from transform.tables import render_table

__all__ = [
    "AI_VOCABULARY_RE",
    "NOT_PAY_RE",
    "PAY_WINDOW",
    "CoverageReport",
    "ai_vocabulary",
    "check_postings",
    "evaluate",
    "pay_snippet",
]

TOP_N = 20
PAY_WINDOW = 60
"""Characters on either side of a money mention searched for a pay word."""

_CODES = (
    "USD|EUR|GBP|CAD|AUD|NZD|SGD|HKD|JPY|CNY|RMB|INR|CHF|SEK|NOK|DKK|PLN|BRL|MXN|ZAR|TWD|NTD|NT|KRW|CZK|"
    "HUF|TRY|THB|ILS|NIS|RON|IDR|MYR|PHP|CLP|COP|ARS|AED|USDT"
)
_CUR = (
    r"(?:US\$|CA\$|C\$|AU\$|A\$|NZ\$|S\$|HK\$|R\$|[$€£¥₹₩₪₽]|(?<![A-Za-z])(?:" + _CODES + r")(?![A-Za-z])"
    r"|(?<![A-Za-z])(?:dollars?|euros?|pounds?|rupees?|yuan|lakhs?|LPA)(?![A-Za-z])|美元|美金|人民币|元|円)"
)
_AMOUNT = r"\d[\d,.\s]*\d?\s?(?:[kKwW万千]|lakhs?|million|mn|billion|bn|[MB](?![A-Za-z]))?"
_BIG_RE = re.compile(r"(?:million|mn|billion|bn|[MB])\s*$")
MONEY_RE = re.compile(rf"{_CUR}\s?{_AMOUNT}|{_AMOUNT}\s?{_CUR}")
PAY_WORD_RE = re.compile(
    r"(?<![A-Za-z])(?:salary|salaries|pay|paid|compensation|comp|base|wages?|rate|remuneration|ote|stipend"
    r"|per\s+(?:hour|hr|year|yr|annum|month|day|week)|an?\s+(?:hour|year|month)|annually|hourly|yearly|monthly"
    r"|/\s?(?:hr|hour|h|yr|year|y|mo|month|day|annum)|p\.?a\.?|ctc|gehalt|salaire|salário|salario|sueldo)(?![A-Za-z])"
    r"|薪|工资|待遇|报酬|月薪|年薪|日薪|时薪|/月|/年|/天|每月|每年",
    re.I,
)
#: Words just before an amount that say it is not pay: benefits, funding, business figures.
NOT_PAY_RE = re.compile(
    r"(?<![A-Za-z])(?:stipends?|allowances?|hra|fsa|hsa|401\(?k\)?|reimburse\w*|budgets?|grants?|deals?|courses?|setup|per employee|bonus(?:es)?"
    r"|raised|raising|funding|funded|series|seed|arr|mrr|revenue|valuation|billion|bn|trade|volume|order)(?![A-Za-z])",
    re.I,
)
#: ... and the few that also say it when they follow the amount ("a $1,000 home-office allowance").
NOT_PAY_AFTER_RE = re.compile(
    r"(?<![A-Za-z])(?:stipends?|allowances?|setup|budgets?|per employee|grants?|funding|raised|revenue|arr|mrr"
    r"|valuation)(?![A-Za-z])",
    re.I,
)
NOT_PAY_WINDOW = 30
#: AI vocabulary in a title (English, other languages, Chinese); independent of the taxonomy's rules.
AI_VOCABULARY_RE = re.compile(
    r"(?<![A-Za-z])(?:ai|a\.i\.|ml|artificial intelligence|machine learning|deep learning|llms?|large language"
    r"|gen\s?ai|generative|nlp|natural language|computer vision|neural|mlops|llmops|reinforcement learning"
    r"|rlhf|data scien(?:ce|tists?)|agentic|ki|intelligence artificielle|inteligencia artificial"
    r"|intelig[eê]ncia artificial|aigc)(?![A-Za-z])"
    r"|人工智能|机器学习|深度学习|大模型|算法|自然语言|计算机视觉",
    re.I,
)


def pay_snippet(text: str | None, *, pay_field: bool = False) -> str | None:
    """The first money mention of ``text`` with a pay word nearby, with its context; None if none.

    ``pay_field``: the text is a source's pay field (its label is the pay word), so a money mention suffices.
    """
    if not text:
        return None
    for m in MONEY_RE.finditer(text):
        if not any(ch.isdigit() for ch in m.group(0)) or _BIG_RE.search(m.group(0)):
            continue  # millions and billions: funding, revenue, budgets (an M salary is rare enough)
        lo, hi = max(0, m.start() - PAY_WINDOW), min(len(text), m.end() + PAY_WINDOW)
        before = text[max(0, m.start() - NOT_PAY_WINDOW) : m.start()]
        after = text[m.end() : m.end() + 20]
        if (pay_field or PAY_WORD_RE.search(text, lo, hi)) and not (
            NOT_PAY_RE.search(before) or NOT_PAY_AFTER_RE.search(after)
        ):
            return " ".join(text[max(0, m.start() - 40) : min(len(text), m.end() + 40)].split())
    return None


def ai_vocabulary(title: str | None) -> bool:
    """True when ``title`` names AI vocabulary (AI, ML, LLM, machine learning, data science, 人工智能...)."""
    return bool(title and AI_VOCABULARY_RE.search(title))


_DIGITS_RE = re.compile(r"\d+(?:[.,]\d+)*")


def _shape(snippet: str) -> str:
    """Review key: the snippet with numbers replaced, so repeats of one pattern group together."""
    return _DIGITS_RE.sub("9", snippet.lower())


@dataclass
class _Tally:
    postings: int = 0
    pay_looking: int = 0
    pay_missed: int = 0
    ai_titles: int = 0
    ai_outside: int = 0


@dataclass
class CoverageReport:
    """The two coverage figures, their review lists and the counts per data set."""

    paths: list[str]
    files: int
    skipped: list[tuple[str, str]]
    taxonomy_version: str
    totals: _Tally = field(default_factory=_Tally)
    by_dataset: dict[str, _Tally] = field(default_factory=dict)
    pay_missed_top: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(shape, count, first example snippet, data set)"""
    ai_outside_top: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(title, count, role given, data set)"""
    rule_errors: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _share(k: int, n: int) -> float | None:
        return round(k / n, 4) if n else None

    def as_dict(self) -> dict[str, Any]:
        t = self.totals
        return {
            "paths": self.paths,
            "files": self.files,
            "postings": t.postings,
            "taxonomy_version": self.taxonomy_version,
            "pay": {
                "pay_looking_texts": t.pay_looking,
                "no_pay_found": t.pay_missed,
                "share_no_pay_found": self._share(t.pay_missed, t.pay_looking),
                "top": [
                    {"pattern": s, "count": c, "example": ex, "dataset": d}
                    for s, c, ex, d in self.pay_missed_top
                ],
            },
            "ai_titles": {
                "titles_with_ai_vocabulary": t.ai_titles,
                "outside_ai_roles": t.ai_outside,
                "share_outside_ai_roles": self._share(t.ai_outside, t.ai_titles),
                "top": [
                    {"title": s, "count": c, "role": r, "dataset": d} for s, c, r, d in self.ai_outside_top
                ],
            },
            "by_dataset": {
                name: {
                    "postings": v.postings,
                    "pay_looking_texts": v.pay_looking,
                    "no_pay_found": v.pay_missed,
                    "titles_with_ai_vocabulary": v.ai_titles,
                    "outside_ai_roles": v.ai_outside,
                }
                for name, v in self.by_dataset.items()
            },
            "rule_errors": self.rule_errors,
            "skipped_files": [{"file": f, "reason": r} for f, r in self.skipped],
        }

    def render(self) -> str:
        t = self.totals

        def pct(k: int, n: int) -> str:
            return f"{k / n:.1%}" if n else "n/a"

        lines = [
            f"Coverage of {t.postings:,} postings from {self.files} files in {', '.join(self.paths)} "
            f"(taxonomy {self.taxonomy_version})",
            "",
            f"Pay-looking texts with no pay found: {t.pay_missed:,} / {t.pay_looking:,} = {pct(t.pay_missed, t.pay_looking)}",
            f"Titles with AI vocabulary outside the AI roles: {t.ai_outside:,} / {t.ai_titles:,} = "
            f"{pct(t.ai_outside, t.ai_titles)}",
            "",
            render_table(
                ["data set", "postings", "pay-looking", "no pay", "AI-vocab titles", "outside AI"],
                [
                    [n, v.postings, v.pay_looking, v.pay_missed, v.ai_titles, v.ai_outside]
                    for n, v in self.by_dataset.items()
                ],
                max_width=None,
                decimals=3,
            ),
            "",
            f"Top {len(self.pay_missed_top)} pay-looking texts with no pay found (pattern count, example):",
            render_table(
                ["count", "data set", "example"],
                [[c, d, ex[:110]] for _, c, ex, d in self.pay_missed_top],
                max_width=None,
                decimals=3,
            ),
            "",
            f"Top {len(self.ai_outside_top)} titles with AI vocabulary outside the AI roles:",
            render_table(
                ["count", "role", "data set", "title"],
                [[c, r, d, s[:90]] for s, c, r, d in self.ai_outside_top],
                max_width=None,
                decimals=3,
            ),
            "",
        ]
        if self.rule_errors:
            lines.append(
                "Rule errors: " + ", ".join(f"{rule} {n}" for rule, n in sorted(self.rule_errors.items()))
            )
        else:
            lines.append("Rule errors: none")
        if self.skipped:
            lines.append(
                f"Skipped {len(self.skipped)} files without postings (see --format json for reasons)."
            )
        return "\n".join(lines)


def _input_table(rows: Sequence[Any]) -> pa.Table:
    """``transform.batch`` input columns from postings (``ingest.models.Posting``)."""
    from transform.batch import INPUT_COLUMNS

    data: dict[str, list[Any]] = {c: [] for c in INPUT_COLUMNS}
    for i, p in enumerate(rows):
        data["posting_key"].append(f"{p.source}:{p.source_id}#{i}")
        data["content_hash"].append(str(i))
        for c in INPUT_COLUMNS[2:]:
            data[c].append(getattr(p, c, None))
    types = {
        "remote": pa.bool_(),
        "pay_min": pa.float64(),
        "pay_max": pa.float64(),
        "pay_is_estimate": pa.bool_(),
        "posted_at": pa.timestamp("us", tz="UTC"),
    }
    return pa.table({c: pa.array(v, types.get(c, pa.string())) for c, v in data.items()})


def check_postings(
    labelled: Sequence[tuple[str, Any]],
    *,
    paths: Sequence[str] = (),
    files: int = 0,
    skipped: Sequence[tuple[str, str]] = (),
    workers: int | None = None,
    top_n: int = TOP_N,
) -> CoverageReport:
    """Normalise ``(data set, posting)`` pairs with the batch normaliser and run both checks."""
    from ingest.rule_errors import RuleErrors
    from transform.batch import normalise_table
    from transform.titles import AI_ROLES, TAXONOMY_VERSION

    errors = RuleErrors()
    postings = [p for _, p in labelled]
    out = normalise_table(_input_table(postings), workers=workers, errors=errors) if postings else None
    roles = out.column("role").to_pylist() if out is not None else []
    currencies = out.column("salary_currency").to_pylist() if out is not None else []
    report = CoverageReport(list(paths), files, list(skipped), TAXONOMY_VERSION)
    pay_groups: Counter[str] = Counter()
    pay_example: dict[str, tuple[str, str]] = {}
    title_groups: Counter[str] = Counter()
    title_example: dict[str, tuple[str, str, str]] = {}
    for (label, p), role, currency in zip(labelled, roles, currencies, strict=True):
        tally = report.by_dataset.setdefault(label, _Tally())
        for t in (tally, report.totals):
            t.postings += 1
        snippet = pay_snippet(p.pay_text, pay_field=True) or pay_snippet(p.description)
        if snippet is not None:
            missed = currency is None
            for t in (tally, report.totals):
                t.pay_looking += 1
                t.pay_missed += int(missed)
            if missed:
                key = _shape(snippet)
                pay_groups[key] += 1
                pay_example.setdefault(key, (snippet, label))
        if ai_vocabulary(p.title):
            outside = role not in AI_ROLES
            for t in (tally, report.totals):
                t.ai_titles += 1
                t.ai_outside += int(outside)
            if outside:
                key = " ".join(p.title.split()).casefold()
                title_groups[key] += 1
                title_example.setdefault(key, (" ".join(p.title.split()), role, label))
    report.pay_missed_top = [
        (k, c, pay_example[k][0], pay_example[k][1]) for k, c in _most_common(pay_groups, top_n)
    ]
    report.ai_outside_top = [
        (title_example[k][0], c, title_example[k][1], title_example[k][2])
        for k, c in _most_common(title_groups, top_n)
    ]
    report.rule_errors = dict(sorted(errors.counts.items()))
    return report


def _most_common(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """Most frequent first; ties in first-seen order (Counter keeps insertion order)."""
    order = {k: i for i, k in enumerate(counter)}
    return sorted(counter.items(), key=lambda kv: (-kv[1], order[kv[0]]))[:n]


def evaluate(
    paths: Iterable[Path | str], *, workers: int | None = None, top_n: int = TOP_N
) -> CoverageReport:
    """Read every posting under ``paths`` with the source parsers (:mod:`ingest.readers`) and check them."""
    from ingest.readers import read_postings

    roots = [Path(p) for p in paths]
    read = read_postings(roots)
    return check_postings(
        read.postings,
        paths=[str(p) for p in roots],
        files=read.files,
        skipped=read.skipped,
        workers=workers,
        top_n=top_n,
    )
