"""The whole pipeline on real payloads (read in place from ../shared/realdata): load → normalise →
validate → build marts must publish, with every real posting accounted for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import write_landing
from jobtrends import pipeline, warehouse
from jobtrends.settings import load_settings

pytestmark = [pytest.mark.acceptance, pytest.mark.xdist_group("realdata_pipeline")]

# (folder or file under realdata, connector, is it a complete board listing)
PAYLOADS = [
    ("srajob2_ats/greenhouse_api/listings", "greenhouse", True),
    ("srajob2_ats/greenhouse_api/jobs", "greenhouse", False),
    ("srajob2_ats/ashby_api", "ashby", True),
    ("srajob2_ats/workday_cxs_api", "workday", False),
    ("srajob2_ats/html_jsonld", "jsonld", False),
    ("srajob2_ats/html_no_jsonld", "jsonld", False),
    ("remoteok_api/remoteok_api_2026-03-17.json", "remoteok", True),
    ("ats_misc_trimmed/lever_postings.json", "lever", True),
    ("ats_misc_trimmed/smartrecruiters_postings.json", "smartrecruiters", True),
]


def test_real_payloads_flow_through_to_published_marts(realdata: Path, tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data")
    fetched = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # after the newest capture (2026-06)
    landed = 0
    for rel, kind, complete in PAYLOADS:
        target = realdata / rel
        files = sorted(p for p in target.iterdir() if p.is_file()) if target.is_dir() else [target]
        for f in files:
            write_landing(
                settings.landing_dir,
                kind,
                f.read_bytes(),
                run_date=date(2026, 9, 1),
                fetched_at=fetched,
                board=f.stem,
                ext=f.suffix.lstrip("."),
                complete_listing=complete,
            )
            landed += 1
    loaded = pipeline.load(settings)
    assert loaded["files"] == landed
    assert loaded["postings"] > 300
    normalised = pipeline.normalise(settings)
    assert normalised["normalised"] == loaded["new_postings"]
    built = pipeline.build(settings)
    assert built["validation"]["marts"]["status"] == "published"

    db = settings.warehouse_path
    # every posting is in the marts' base table, and the real ones get real roles and pay
    ((n_raw, n_int),) = warehouse.query(
        db,
        "select (select count(*) from staging.stg_postings), "
        "(select count(*) from intermediate.int_postings)",
    )[1]
    assert n_raw == n_int
    ((ai, paid),) = warehouse.query(
        db,
        "select count(*) filter (where is_ai_role), count(*) filter (where annual_max_usd is not null) "
        "from normalised.postings",
    )[1]
    assert ai >= 10 and paid >= 30
    # only the RemoteOK job with an empty title is quarantined at load; a page without JSON-LD is a note
    reasons = warehouse.query(db, "select source, reason from ops.quarantine where stage = 'load'")[1]
    assert all(src == "remoteok" for src, _ in reasons), reasons
    notes = warehouse.query(
        db, "select note from ops.landing_files where source = 'jsonld' and postings = 0"
    )[1]
    assert notes and all(n for (n,) in notes)
