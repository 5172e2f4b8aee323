"""Salary parser on the labelled dev set (../shared/labels/salaries_dev.csv): exact-match target."""

from __future__ import annotations

from pathlib import Path

import pytest

from transform.eval_salary import evaluate

pytestmark = pytest.mark.acceptance


def test_exact_match_target(labels: Path) -> None:
    report = evaluate(labels / "salaries_dev.csv")
    d = report.as_dict()
    assert d["rows_scored"] >= 200 and d["rows_skipped_ote"] >= 1
    assert d["exact_match"] >= 0.97, report.render(max_misses=20)
    assert d["exact_match_no_pay_rows"] >= 0.95
    assert d["field_accuracy"]["is_estimate"] >= 0.95


def test_report_renders(labels: Path) -> None:
    text = evaluate(labels / "salaries_dev.csv").render(max_misses=3)
    assert "exact match" in text and "worst misses" in text
