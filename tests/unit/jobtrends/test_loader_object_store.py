"""Landing → raw from an object-store landing zone (moto's S3 server on 127.0.0.1): the same ledger keys,
rows and run records as from a local one, loaded once, in chunks, payloads without metadata ignored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import META_SUFFIX, write_landing
from ingest.runner import SourceRunRecord, _write_record
from ingest.storage import landing_location, open_storage
from jobtrends import loader, pipeline, warehouse
from jobtrends.settings import Settings, load_settings

FETCHED = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)


def _board(*ids: int) -> bytes:
    jobs = [
        {
            "id": i,
            "title": f"Machine Learning Engineer {i}",
            "absolute_url": f"https://boards.greenhouse.io/acme/jobs/{i}",
            "location": {"name": "Berlin, Germany"},
            "updated_at": "2025-06-01T10:00:00-04:00",
            "company_name": "Acme AI",
            "content": "&lt;p&gt;PyTorch&lt;/p&gt;",
        }
        for i in ids
    ]
    return json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}).encode()


def _land_everything(settings: Settings, tmp_path: Path) -> None:
    landing = landing_location(settings)
    for day, ids in ((1, (1, 2)), (2, (2, 3)), (3, (3, 4, 5))):
        write_landing(
            landing,
            "greenhouse",
            _board(*ids),
            run_date=date(2025, 6, day),
            fetched_at=FETCHED,
            board="acme",
            complete_listing=True,
        )
    write_landing(landing, "greenhouse", b'{"jobs": [', run_date=date(2025, 6, 3), fetched_at=FETCHED)
    dump = tmp_path / "survey.jsonl"
    dump.write_text('{"source": "survey", "source_id": "a", "title": "Data Scientist", "company": "B"}\n')
    pipeline.import_file(settings, dump, None, None, date(2025, 6, 1))
    record = SourceRunRecord(
        run_id="r1",
        source_name="greenhouse:acme",
        kind="greenhouse",
        board="acme",
        started_at=FETCHED.isoformat(),
        status="ok",
    )
    _write_record(landing, date(2025, 6, 3), record, FETCHED)


def _state(settings: Settings) -> dict[str, list[tuple]]:
    queries = {
        "ledger": "select landing_file, sha256, status, postings, errors from ops.landing_files order by 1",
        "raw": "select posting_key, content_hash, landing_file from raw.postings order by 1, 2",
        "sightings": "select source, source_id, content_hash, landing_file, run_date from raw.sightings order by all",
        "listings": "select source, board, run_date, complete_listing, landing_file from raw.listings order by all",
        "quarantine": "select landing_file, reason from ops.quarantine order by all",
        "runs": "select source_name, record_file from ops.source_runs order by all",
    }
    return {name: warehouse.query(settings.warehouse_path, sql)[1] for name, sql in queries.items()}


@pytest.fixture
def local(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "local")


@pytest.fixture
def remote(tmp_path: Path, s3_bucket: str) -> Settings:
    return load_settings(tmp_path / "remote").with_overrides(landing_url=s3_bucket + "/landing")


def test_object_store_landing_loads_like_a_local_one(
    local: Settings, remote: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _land_everything(local, tmp_path)
    _land_everything(remote, tmp_path)
    assert not remote.landing_dir.exists()  # nothing landed on the local disk
    first_local = pipeline.load(local)
    monkeypatch.setattr(loader, "STAGE_BYTES", 200)  # several copy-and-load chunks
    first_remote = pipeline.load(remote)
    for key in ("files", "postings", "new_postings", "quarantined", "source_runs"):
        assert first_remote[key] == first_local[key], key
    assert first_local["files"] == 5 and first_local["source_runs"] == 1
    expected = _state(local)
    assert expected["ledger"] and expected["raw"] and expected["quarantine"]
    assert _state(remote) == expected
    again = pipeline.load(remote)
    assert (again["files"], again["source_runs"], again["staged_files"]) == (0, 0, 0)
    assert _state(remote) == expected


def test_a_payload_without_metadata_waits_for_it(remote: Settings) -> None:
    store = open_storage(landing_location(remote))
    landed = write_landing(
        landing_location(remote), "greenhouse", _board(7), run_date=date(2025, 6, 1), fetched_at=FETCHED
    )
    key = landed.path.as_posix()
    meta = store.read_bytes(key + META_SUFFIX)
    store.delete(key + META_SUFFIX)  # as if the writer was killed between the two objects
    assert pipeline.load(remote)["files"] == 0
    store.write_bytes(key + META_SUFFIX, meta)
    assert pipeline.load(remote)["new_postings"] == 1


def test_a_local_path_as_landing_url_is_where_files_land_and_load_from(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data").with_overrides(landing_url=str(tmp_path / "elsewhere"))
    _land_everything(settings, tmp_path)
    assert not settings.landing_dir.exists()
    assert len(list((tmp_path / "elsewhere" / "greenhouse").glob("dt=*/*.meta.json"))) == 4
    out = pipeline.load(settings)
    assert (out["files"], out["source_runs"]) == (5, 1)
