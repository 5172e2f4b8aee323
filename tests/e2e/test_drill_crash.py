"""The crash drill's reduced version: three kill -9 points, then the marts equal a clean run's."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrends.drills import crash

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_sample")]


def test_quick_crash_drill_loses_nothing(tmp_path: Path) -> None:
    figures = crash.run(quick=True, root=tmp_path)
    assert figures["records_lost"] == 0
    assert figures["points_killed"] == crash.QUICK_KILLS
