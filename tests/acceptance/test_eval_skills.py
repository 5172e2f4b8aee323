"""Skill extractor on the labelled dev set (../shared/labels/skills_dev.jsonl): micro-F1 and precision."""

from __future__ import annotations

from pathlib import Path

import pytest

from transform.eval_skills import evaluate

pytestmark = pytest.mark.acceptance


def test_micro_f1_and_precision_targets(labels: Path) -> None:
    report = evaluate(labels / "skills_dev.jsonl")
    d = report.as_dict()
    assert d["rows"] == 45
    assert not d["unknown_gold_ids"]
    assert d["micro_precision"] >= 0.97, report.render(max_misses=20)
    assert d["micro_f1"] >= 0.96, report.render(max_misses=20)


def test_report_renders(labels: Path) -> None:
    text = evaluate(labels / "skills_dev.jsonl").render(max_misses=3)
    assert "micro P" in text and "worst misses" in text


def test_onet_extension_keeps_core_scores(realdata: Path, labels: Path) -> None:
    import json

    from transform.skills import get_dictionary, load_dictionary

    onet = load_dictionary([realdata / "onet" / "Technology Skills.txt"])
    base = get_dictionary()
    for line in (labels / "skills_dev.jsonl").read_text(encoding="utf-8").splitlines()[:15]:
        text = json.loads(line)["text"]
        assert onet.extract(text).skills == base.extract(text).skills
