"""Descriptions are signed while they are normalised: the build's near-duplicate step reads the stored
signatures back instead of reading and signing every description again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jobtrends import marts, pipeline, warehouse
from jobtrends.settings import Settings, load_settings

_TEXT = (
    "Join the applied research group that trains and ships ranking models for our marketplace. You will "
    "design offline experiments, build feature pipelines in Python, own evaluation dashboards, review "
    "pull requests from peers, mentor two junior engineers and present results to product leads every "
    "quarter. We value clear writing, careful measurement and kind code review."
)


def _dump(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _posting(source_id: str, title: str, description: str) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "title": title,
        "company": "Acme Analytics",
        "location_text": "London, UK",
        "posted_at": "2025-03-03",
        "description": description,
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings(tmp_path / "data")
    careers = [
        _posting("1", "Machine Learning Engineer", _TEXT),
        _posting("2", "Data Analyst", "Build weekly sales reports in SQL for the finance team."),
        _posting("3", "Office Manager", ""),
    ]
    board = [_posting("9", "ML Engineer (Ranking)", _TEXT + " Apply by the end of April.")]
    pipeline.import_file(settings, _dump(tmp_path / "careers.jsonl", careers), run_date=date(2025, 3, 3))
    pipeline.import_file(settings, _dump(tmp_path / "board.jsonl", board), run_date=date(2025, 3, 3))
    pipeline.load(settings)
    return settings


def _dedup(settings: Settings, *, full: bool = False) -> tuple[dict[str, object], list[tuple]]:
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        summary = marts.compute_dedup_inputs(con, settings.sql_dir, full=full)
        pairs = con.execute(
            "select posting_key, canonical_key, similarity from normalised.near_duplicates order by all"
        ).fetchall()
    return summary, pairs


def _stored(settings: Settings) -> dict[str, list[str]]:
    rows = warehouse.query(
        settings.warehouse_path,
        "select r.title, s.content_hash from normalised.dedup_signatures as s "
        "join raw.postings as r using (posting_key, content_hash) order by all",
    )[1]
    out: dict[str, list[str]] = {}
    for title, content_hash in rows:
        out.setdefault(title, []).append(content_hash)
    return out


def test_the_build_signs_nothing_that_normalise_signed_and_groups_the_same(settings: Settings) -> None:
    pipeline.normalise(settings)
    assert sorted(_stored(settings)) == [
        "Data Analyst", "ML Engineer (Ranking)", "Machine Learning Engineer", "Office Manager"
    ]  # fmt: skip

    summary, pairs = _dedup(settings)

    assert summary["descriptions_signed"] == 0
    assert len(pairs) == 1 and pairs[0][2] >= 0.7  # the board's copy of posting 1
    # signing every text again (a full build) finds the same near-duplicates
    full, again = _dedup(settings, full=True)
    assert full["descriptions_signed"] == 4
    assert again == pairs


def test_a_new_version_replaces_its_postings_stored_signature(settings: Settings, tmp_path: Path) -> None:
    pipeline.normalise(settings)
    _dedup(settings)
    before = _stored(settings)["Data Analyst"]
    changed = [_posting("2", "Data Analyst", "Build monthly revenue reports in SQL and dbt for finance.")]
    pipeline.import_file(settings, _dump(tmp_path / "careers.jsonl", changed), run_date=date(2025, 3, 4))
    pipeline.load(settings)

    pipeline.normalise(settings)

    after = _stored(settings)["Data Analyst"]
    assert len(after) == 1 and after != before
    assert _dedup(settings)[0]["descriptions_signed"] == 0
