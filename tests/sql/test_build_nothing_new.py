"""A nightly build with nothing new: no suite runs on an empty batch and no mart is rebuilt; anything new
(or a row still in quarantine, which each run re-judges) is validated as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrends import pipeline, quality
from jobtrends.quality import validate
from jobtrends.settings import load_settings

from .conftest import REPO_ROOT, build_settings


@pytest.fixture()
def wh(tmp_path: Path, given):
    given.settings = build_settings(tmp_path)
    for i in range(20):
        given.posting(f"base:{i}", posted="2025-06-10", company=f"Co{i}", title_clean=f"ml engineer {i}")
    given.load()
    assert pipeline.build(given.settings, run_id="run-1")["validation"]["marts"]["status"] == "published"
    return given


def _spy(monkeypatch) -> list[str]:
    """Layers whose suites were run (the row-level jobs built)."""
    seen: list[str] = []
    original = validate._row_level_jobs

    def spy(con, settings, layer, now, incremental):
        seen.append(layer)
        return original(con, settings, layer, now, incremental)

    monkeypatch.setattr(validate, "_row_level_jobs", spy)
    return seen


def test_a_build_with_nothing_new_runs_no_suite_and_keeps_the_marts(wh, monkeypatch) -> None:
    seen = _spy(monkeypatch)

    out = pipeline.build(wh.settings, run_id="run-2")

    assert seen == []
    for layer in ("raw", "normalised"):
        batch = out["validation"][layer]["batches"][layer]
        assert batch["new_rows"] == 0 and batch["table_rows"] == 20 and not batch["full"]
    assert out["validation"]["marts"]["status"] == "unchanged"
    # the empty batches are accepted like any other: the next run starts after them
    assert wh.one("select count(*) as n from ops.validation_batches where run_id = 'run-2'") == {"n": 2}


def test_a_new_row_is_validated(wh, monkeypatch) -> None:
    seen = _spy(monkeypatch)
    wh.posting("more:1", posted="2025-06-11", company="Newco", title_clean="ml engineer new")
    wh.load()

    out = pipeline.build(wh.settings, run_id="run-2")

    assert seen == ["raw", "normalised"]
    assert out["validation"]["raw"]["batches"]["raw"]["new_rows"] == 1
    assert out["validation"]["marts"]["status"] == "published"


def test_a_row_in_quarantine_is_judged_again(wh, monkeypatch) -> None:
    wh.posting("bad:1", posted="2025-06-11", company="Bigco", pay=(5_000_000, 6_000_000))
    wh.load()
    assert pipeline.build(wh.settings, run_id="run-2")["quarantined_rows"]["normalised"] == 1
    seen = _spy(monkeypatch)

    pipeline.build(wh.settings, run_id="run-3")

    assert seen == ["normalised"]  # raw has nothing new and nothing in quarantine


def test_full_validates_everything(wh, monkeypatch) -> None:
    seen = _spy(monkeypatch)
    out = pipeline.build(wh.settings, run_id="run-2", full=True)
    assert seen == ["raw", "normalised"]
    assert out["validation"]["marts"]["status"] == "published"


@pytest.mark.parametrize("layer", ["raw", "normalised"])
def test_batch_sources_are_the_suites_tables(layer: str) -> None:
    settings = load_settings(Path("."), expectations_dir=REPO_ROOT / "expectations")
    module = quality.load_expectations(settings, layer)
    assert quality.BATCH_SOURCES[layer] == (module.TABLE, module.ADDED_AT)
