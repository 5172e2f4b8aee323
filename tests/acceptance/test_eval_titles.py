"""The title classifier meets its targets on the labelled development set (../shared/labels)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transform.eval_titles import evaluate

pytestmark = pytest.mark.acceptance


@pytest.fixture(scope="module")
def report(labels: Path):  # type: ignore[no-untyped-def]
    return evaluate(labels / "titles_dev.csv")


def test_role_accuracy_without_context(report) -> None:  # type: ignore[no-untyped-def]
    assert report.role_accuracy_no_context >= 0.95


def test_role_accuracy_needing_context(report) -> None:  # type: ignore[no-untyped-def]
    assert report.role_accuracy_context >= 0.80


def test_ai_macro_f1(report) -> None:  # type: ignore[no-untyped-def]
    assert len(report.macro_f1_labels) >= 5
    assert report.ai_macro_f1 >= 0.92


def test_seniority_accuracy(report) -> None:  # type: ignore[no-untyped-def]
    assert report.seniority_accuracy >= 0.95


def test_report_renders_and_serialises(report) -> None:  # type: ignore[no-untyped-def]
    text = report.render(max_misses=5)
    for heading in (
        "role accuracy",
        "seniority accuracy",
        "macro-F1",
        "per-class",
        "confusion",
        "worst misses",
    ):
        assert heading in text
    data = report.as_dict()
    json.dumps(data)
    assert data["rows"] == report.n == 450
    assert set(data["per_class"]) >= {"ai_ml_engineer", "other"}
