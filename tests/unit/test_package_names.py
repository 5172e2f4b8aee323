"""``ingest`` and ``transform`` are generic top-level names: guard that they are this project's ``src/``."""

from __future__ import annotations

import importlib
import importlib.metadata
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGES = ("ingest", "transform", "jobtrends")


@pytest.mark.parametrize("name", PACKAGES)
def test_package_resolves_to_this_projects_src(name: str) -> None:
    module = importlib.import_module(name)
    # one directory only: a namespace package or a second distribution would add another path
    assert [Path(p).resolve() for p in module.__path__] == [SRC / name], module.__path__
    assert module.__file__ is not None and Path(module.__file__).resolve() == SRC / name / "__init__.py"


@pytest.mark.parametrize("name", PACKAGES)
def test_no_other_installed_distribution_ships_the_name(name: str) -> None:
    # two distributions installing the same top-level package overwrite each other's files
    owners = set(importlib.metadata.packages_distributions().get(name, []))
    assert owners == {"jobtrends"}, f"{name!r} is also installed by {sorted(owners - {'jobtrends'})}"
