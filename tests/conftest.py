"""Shared fixtures: where ../shared is, and how tests that need it skip (or fail in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("JOBTRENDS_SHARED_DIR", REPO_ROOT.parent / "shared"))
REQUIRE_SHARED = os.environ.get("JOBTRENDS_REQUIRE_SHARED") == "1"


def _shared_path(*parts: str) -> Path:
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (the shared data sets live beside the checkout in ../shared)"
        if REQUIRE_SHARED:
            pytest.fail(f"JOBTRENDS_REQUIRE_SHARED=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def realdata() -> Path:
    """``../shared/realdata``, read in place (never copied into the repository)."""
    return _shared_path("realdata")


@pytest.fixture(scope="session")
def labels() -> Path:
    """``../shared/labels``: labelled development sets."""
    return _shared_path("labels")


@pytest.fixture(scope="session")
def guide() -> Path:
    return _shared_path("guide")
