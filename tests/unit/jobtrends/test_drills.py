"""The reliability drills' reduced versions (``make drill`` runs the full ones)."""

from __future__ import annotations

import pytest

from jobtrends.drills import fuzz


def test_quick_fuzz_finds_no_crash() -> None:
    figures = fuzz.run(quick=True)
    assert figures["crashes"] == 0 and figures["contract_violations"] == 0
    assert figures["inputs_per_target"] == fuzz.QUICK_INPUTS
    assert figures["targets"] >= 20  # every parser and the five normalisers
    assert figures["record_errors_with_reason"] > 0  # the mutator does produce bad records


def test_the_fuzz_drill_reports_a_crashing_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.sources import greenhouse

    def broken(payload, ctx):
        raise KeyError("boom")

    monkeypatch.setattr(greenhouse, "parse", broken)
    with pytest.raises(AssertionError, match="crashes"):
        fuzz.run(quick=True, inputs=20)
