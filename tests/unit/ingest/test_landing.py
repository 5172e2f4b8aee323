"""Landing zone: unchanged bytes, content-addressed, immutable, durable meta last."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.landing import iter_landing, read_meta, sha256_bytes, write_landing

FETCHED = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)


def test_payload_is_written_unchanged_under_source_and_date(tmp_path: Path) -> None:
    payload = b'{"jobs": [{"id": 1, "title": "ML Engineer \xc3\xa9"}]}'
    landed = write_landing(
        tmp_path, "greenhouse", payload, run_date=date(2025, 3, 1), fetched_at=FETCHED, board="acme"
    )
    assert landed.path.read_bytes() == payload
    assert landed.path.parent == tmp_path / "greenhouse" / "dt=2025-03-01"
    assert landed.path.name.startswith(sha256_bytes(payload)[:24])
    meta = read_meta(landed.path)
    assert meta.sha256 == sha256_bytes(payload) and meta.size_bytes == len(payload)
    assert meta.board == "acme" and meta.fetched_at == FETCHED.isoformat()


def test_same_bytes_land_once_and_are_never_rewritten(tmp_path: Path) -> None:
    first = write_landing(tmp_path, "lever", b"[]", run_date=date(2025, 3, 1), fetched_at=FETCHED)
    mtime = first.path.stat().st_mtime_ns
    later = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    again = write_landing(tmp_path, "lever", b"[]", run_date=date(2025, 3, 1), fetched_at=later)
    assert again.path == first.path
    assert first.path.stat().st_mtime_ns == mtime
    # the first fetch's meta stays: the landing record is immutable
    assert json.loads(first.meta_path.read_text())["fetched_at"] == FETCHED.isoformat()
    assert len(list(iter_landing(tmp_path))) == 1


def test_iter_landing_skips_payloads_without_meta(tmp_path: Path) -> None:
    write_landing(tmp_path, "ashby", b"{}", run_date=date(2025, 3, 1), fetched_at=FETCHED)
    orphan = tmp_path / "ashby" / "dt=2025-03-01" / "deadbeef.json"
    orphan.write_bytes(b"{")  # a crash between payload and meta: not durable, not loaded
    listed = [lf.path for lf in iter_landing(tmp_path)]
    assert orphan not in listed and len(listed) == 1
