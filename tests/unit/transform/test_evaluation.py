"""Shared metric helpers (transform.evaluation) and text clean-up (ingest.textnorm)."""

from __future__ import annotations

import pytest

from ingest.textnorm import clean_text, fix_mojibake, nfkc, remove_control_chars, strip_html
from transform.evaluation import accuracy, confusion, macro_f1, per_class_prf, render_confusion
from transform.tables import render_table


def test_per_class_prf_and_macro() -> None:
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")]
    scores = per_class_prf(pairs)
    assert scores["a"].precision == 1.0 and scores["a"].recall == 0.5
    assert scores["b"].precision == pytest.approx(1 / 3) and scores["b"].recall == 1.0
    assert scores["c"].f1 == 0.0 and scores["c"].support == 1
    assert macro_f1(scores, ["a"]) == pytest.approx(2 / 3)
    assert macro_f1(scores, []) == 0.0
    assert accuracy(pairs) == 0.5
    assert accuracy([]) == 0.0


def test_confusion_and_rendering() -> None:
    labels, matrix = confusion([("a", "b"), ("a", "a"), (None, "a")], ["a", "b"])
    assert labels == ["a", "b", None]
    assert matrix == [[1, 1, 0], [0, 0, 0], [1, 0, 0]]
    text = render_confusion(labels, matrix)
    assert text.splitlines()[0].startswith("gold \\ pred")
    table = render_table(["name", "score"], [["x", 0.5], ["yy", 1.0]], decimals=3)
    assert table.splitlines() == ["name  score", "───────────", "x     0.500", "yy    1.000"]


def test_textnorm_helpers() -> None:
    assert fix_mojibake("Senior Engineer â€“ AI") == "Senior Engineer – AI"
    assert strip_html("<p>ML&nbsp;Engineer</p>").strip() == "ML\xa0Engineer"
    assert remove_control_chars("a\x00b\tc\ud800") == "ab c"
    assert nfkc("ＭＬ") == "ML"
    assert clean_text("  <b>Data&amp;AI</b>\n Engineer ") == "Data&AI Engineer"
    assert clean_text(None) == ""
    assert len(clean_text("x" * 5000)) == 1000
