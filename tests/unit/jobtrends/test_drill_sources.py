"""The source-failure drill, quick version (``make drill`` runs the full one)."""

from __future__ import annotations

import pytest

from jobtrends.drills import DRILLS
from jobtrends.drills import sources as drill


@pytest.mark.drill
def test_quick_source_failure_drill_loses_nothing_and_records_every_failure() -> None:
    figures = drill.run(quick=True)
    assert figures["records_lost"] == 0
    assert figures["cases_served"] == 13
    assert figures["failures_recorded"] == 10 and figures["sources_landed"] == 3
    assert "sources" in DRILLS


def test_the_drill_notices_a_lost_record() -> None:
    cases = [drill.Case("healthy", lambda r: None, "ok", 5, "healthy")]
    runs = {"drill:healthy": ("ok", None, "2026-12-01T00:00:00+00:00", "2026-12-01T00:00:01+00:00")}
    with pytest.raises(AssertionError, match="did not land"):
        drill._check(cases, {"deadline_s": 3.0}, {"sources": 1}, runs, {"healthy": 4}, 0)


def test_the_drill_notices_an_overrun_and_a_reached_internal_server() -> None:
    cases = [drill.Case("timeout", lambda r: None, "timeout")]
    slow = {
        "drill:timeout": ("failed", "timeout: x", "2026-12-01T00:00:00+00:00", "2026-12-01T00:00:30+00:00")
    }
    with pytest.raises(AssertionError, match="past its"):
        drill._check(cases, {"deadline_s": 3.0}, {"sources": 1}, slow, {}, 0)
    with pytest.raises(AssertionError, match="internal loopback server"):
        drill._check(cases, {"deadline_s": 3.0}, {"sources": 1}, slow, {}, 1)
    wrong = {
        "drill:timeout": ("failed", "http: 503", "2026-12-01T00:00:00+00:00", "2026-12-01T00:00:01+00:00")
    }
    with pytest.raises(AssertionError, match="expected a timeout error"):
        drill._check(cases, {"deadline_s": 3.0}, {"sources": 1}, wrong, {}, 0)
