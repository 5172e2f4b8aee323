"""The nightly near-duplicate step on real reposts: five monthly HN "Who is hiring?" threads (read in
place from ../shared/realdata), one a night. Companies post again each month with the same or an edited
text, so some companies must be regrouped and others kept; after every night the groups and the stored
LSH keys must be those of a full pass over the same postings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import write_landing
from jobtrends import marts, pipeline, warehouse
from jobtrends.settings import load_settings

pytestmark = [pytest.mark.acceptance, pytest.mark.xdist_group("realdata_dedup")]


def _thread(path: Path) -> tuple[bytes, date]:
    """A staged thread as the HN Algolia item the connector parses (the staging renamed its fields)."""
    data = json.loads(path.read_text())
    children = [
        {"id": job["id"], "text": job["text"], "created_at_i": job["time"], "author": job["by"]}
        for job in data["jobs"]
        if job["source"] == "who_is_hiring"
    ]
    item = {"id": data["sources"]["who_is_hiring_thread_id"], "children": children}
    return json.dumps(item).encode(), date.fromisoformat(data["date"])


def _state(db: Path) -> tuple[list, list]:
    near = warehouse.query(
        db,
        "select posting_key, canonical_key, similarity, block_key from normalised.near_duplicates order by all",
    )[1]
    keys = warehouse.query(
        db, "select * exclude (content_hash) from normalised.dedup_band_keys order by all"
    )[1]
    return near, keys


def test_monthly_reposts_keep_the_groups_of_a_full_pass(realdata: Path, tmp_path: Path) -> None:
    threads = sorted((realdata / "hn_whoishiring_2026").glob("raw_*.json"))
    assert len(threads) >= 3
    runs = {name: load_settings(tmp_path / name) for name in ("nightly", "full")}
    kept = regrouped = 0
    for night, path in enumerate(threads):
        payload, day = _thread(path)
        for name, settings in runs.items():
            write_landing(
                settings.landing_dir, "hn", payload, run_date=day,
                fetched_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC), board=None, ext="json",
            )  # fmt: skip
            pipeline.load(settings)
            pipeline.normalise(settings)
            with warehouse.connect(settings.warehouse_path) as con:
                warehouse.ensure_schema(con, Path(settings.sql_dir))
                summary = marts.compute_dedup_inputs(con, Path(settings.sql_dir), full=name == "full")
            if name == "nightly" and night:
                kept += summary["blocks_kept"]
                regrouped += summary["blocks_recomputed"]
        assert _state(runs["nightly"].warehouse_path) == _state(runs["full"].warehouse_path), path.name
    near, _ = _state(runs["nightly"].warehouse_path)
    assert near, "monthly reposts make near-duplicate groups"
    assert kept and regrouped, (kept, regrouped)
