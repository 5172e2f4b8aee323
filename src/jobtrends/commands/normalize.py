"""``jobtrends normalize titles|salary|skills`` and ``jobtrends eval titles|salary|skills LABELS``.

Thin dispatch: the streaming normalisers and the evaluators live in :mod:`transform`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from ingest import rule_errors
from jobtrends.errors import UserError

_NORMALIZERS = {
    "titles": ("transform.titles", "normalize_titles_stream"),
    "salary": ("transform.salary", "normalize_salary_stream"),
    "skills": ("transform.skills", "normalize_skills_stream"),
}
_EVALUATORS = {
    "titles": "transform.eval_titles",
    "salary": "transform.eval_salary",
    "skills": "transform.eval_skills",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "normalize",
        help="normalise titles, pay texts or skill texts from stdin to JSON Lines on stdout",
        description="Read stdin, write one JSON object per input line, in input order.",
    )
    p.add_argument("what", choices=sorted(_NORMALIZERS), help="titles | salary | skills")
    p.set_defaults(handler=_normalize)

    e = sub.add_parser(
        "eval",
        help="score a normaliser against a labelled file (per-class precision/recall/F1, worst misses)",
    )
    e.add_argument(
        "what", choices=[*sorted(_EVALUATORS), "coverage"], help="titles | salary | skills | coverage"
    )
    e.add_argument(
        "labels",
        type=Path,
        nargs="*",
        help="labelled file in the format of shared/labels/; for coverage: folders or files of payloads "
        "(real-data folders, a landing zone, dumps; default: ../shared/realdata)",
    )
    e.add_argument("--format", choices=("text", "json"), default="text")
    e.add_argument("--misses", type=int, default=15, help="how many worst misses to list")
    e.set_defaults(handler=_evaluate)


def _normalize(args: argparse.Namespace) -> int:
    module, func = _NORMALIZERS[args.what]
    stream = getattr(importlib.import_module(module), func)
    # Undecodable input bytes must not crash a normaliser: they travel as lone surrogates and are
    # written back unchanged.
    for handle in (sys.stdin, sys.stdout):
        if hasattr(handle, "reconfigure"):
            handle.reconfigure(errors="surrogateescape")
    out = sys.stdout
    rule_errors.snapshot(reset=True)
    for record in stream(line.rstrip("\r\n") for line in sys.stdin):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    _report_rule_errors(rule_errors.snapshot(reset=True))
    return 0


def _report_rule_errors(errors: rule_errors.RuleErrors) -> None:
    """Per-rule counts of exceptions the normaliser rules hit (stderr, so stdout stays JSON Lines)."""
    for rule, count in sorted(errors.counts.items()):
        example, error = errors.examples.get(rule, ("", ""))
        print(
            f"jobtrends: rule errors: {rule}: {count} (first: {error} on {example[:80]!r})", file=sys.stderr
        )


def _evaluate(args: argparse.Namespace) -> int:
    if args.what == "coverage":
        return _coverage(args)
    if len(args.labels) != 1:
        raise UserError(f"eval {args.what} takes one labels file")
    labels = args.labels[0]
    if not labels.exists():
        raise UserError(f"labels file not found: {labels}")
    module = importlib.import_module(_EVALUATORS[args.what])
    report = module.evaluate(labels)
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.render(max_misses=args.misses))
    return 0


def _default_realdata() -> Path:
    from jobtrends.settings import PROJECT_ROOT

    return Path(os.environ.get("JOBTRENDS_SHARED_DIR", PROJECT_ROOT.parent / "shared")) / "realdata"


def _coverage(args: argparse.Namespace) -> int:
    from transform.eval_coverage import evaluate

    paths = list(args.labels) or [_default_realdata()]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UserError(f"not found: {', '.join(map(str, missing))}")
    report = evaluate(paths)
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.render())
    return 0
