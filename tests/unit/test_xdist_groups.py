"""`make test` runs the suite on two xdist workers with ``--dist loadgroup``: the tests of one
``xdist_group`` (a module fixture that runs the whole sample pipeline, one Airflow home) must share a
worker, or each worker builds that fixture again."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("xdist_group_check")


def test_loadgroup_keeps_a_group_on_one_worker(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by pytest-xdist with --dist loadgroup (make test runs it so)")
    # xdist groups by the suffix it appends to each node id; when the suffix is missing, every test is a
    # group of its own
    assert request.node.nodeid.endswith("@xdist_group_check"), (
        f"pytest-xdist ignored the xdist_group mark (node id {request.node.nodeid!r}): pytest 9.2 with "
        "pytest-xdist 3.8 does so (pytest-xdist#1386), so pyproject.toml keeps pytest below 9.2"
    )
