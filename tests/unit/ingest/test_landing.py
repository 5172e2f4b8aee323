"""Landing zone: unchanged bytes, content-addressed, immutable, durable meta last."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest import landing
from ingest.landing import iter_landing, land_file, read_meta, sha256_bytes, write_landing
from ingest.storage import open_storage

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


@pytest.fixture(params=["local", "s3"])
def landing_root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "landing")
    return request.getfixturevalue("s3_bucket") + "/landing"


def test_a_landed_file_is_the_landing_of_its_bytes(landing_root: str, tmp_path: Path) -> None:
    # a file streamed in and the same bytes written by a fetcher: one key, one content, one meta
    payload = os.urandom(3 << 20) + "\nHead of AI — Zürich\n".encode()  # several read blocks
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(payload)
    filed = land_file(landing_root, "file", dump, run_date=date(2025, 3, 1), fetched_at=FETCHED, ext="jsonl")
    store = open_storage(landing_root)
    key = f"file/dt=2025-03-01/{sha256_bytes(payload)[:24]}.jsonl"
    assert store.read_bytes(key) == payload
    assert json.loads(store.read_bytes(key + ".meta.json"))["size_bytes"] == len(payload)
    written = write_landing(
        landing_root, "file", payload, run_date=date(2025, 3, 1), fetched_at=FETCHED, ext="jsonl"
    )
    assert written.location == filed.location and written.meta == filed.meta
    assert store.list_keys() == [key, key + ".meta.json"]


def test_landing_a_file_again_leaves_it_untouched_and_no_temp_behind(tmp_path: Path) -> None:
    dump = tmp_path / "dump.csv"
    dump.write_bytes(b"title\nML Engineer\n")
    first = land_file(tmp_path / "l", "file", dump, run_date=date(2025, 3, 1), fetched_at=FETCHED, ext="csv")
    mtime = first.path.stat().st_mtime_ns
    later = datetime(2025, 3, 2, tzinfo=UTC)
    again = land_file(tmp_path / "l", "file", dump, run_date=date(2025, 3, 1), fetched_at=later, ext="csv")
    assert again.path == first.path and first.path.stat().st_mtime_ns == mtime
    assert read_meta(first.path).fetched_at == FETCHED.isoformat()
    assert sorted(p.name for p in first.path.parent.iterdir()) == sorted(
        [first.path.name, first.meta_path.name]
    )


def test_a_dump_rewritten_while_it_lands_lands_under_the_hash_of_the_bytes_landed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the writer of the dump appends to it while the import runs: whatever bytes land, their name and
    # their metadata must be theirs (a name that is not the hash of its bytes breaks "same name, same bytes")
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b'{"title": "ML Engineer"}\n')
    real_copy = landing.shutil.copyfile

    def copy_after_append(src: Path, dst: Path) -> object:
        with open(src, "ab") as fh:
            fh.write(b'{"title": "Data Scientist"}\n')
        return real_copy(src, dst)

    monkeypatch.setattr(landing.shutil, "copyfile", copy_after_append)
    landed = land_file(
        tmp_path / "l", "file", dump, run_date=date(2025, 3, 1), fetched_at=FETCHED, ext="jsonl"
    )
    body = landed.path.read_bytes()
    assert landed.path.name.startswith(sha256_bytes(body)[:24])
    meta = read_meta(landed.path)
    assert meta.sha256 == sha256_bytes(body) and meta.size_bytes == len(body)
    assert sorted(p.name for p in landed.path.parent.iterdir()) == sorted(
        [landed.path.name, landed.meta_path.name]
    )


def test_a_dump_rewritten_while_it_uploads_is_refused_and_nothing_becomes_durable(
    s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = s3_bucket + "/landing"
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(b'{"title": "ML Engineer"}\n')
    store = open_storage(root)
    real_put = type(store).put_file

    def put_then_append(self: object, local_path: Path, key: str) -> None:
        with open(local_path, "ab") as fh:
            fh.write(b'{"title": "Data Scientist"}\n')
        real_put(self, local_path, key)  # type: ignore[arg-type]

    monkeypatch.setattr(type(store), "put_file", put_then_append)
    with pytest.raises(landing.SourceChanged, match="changed while it was landed"):
        land_file(root, "file", dump, run_date=date(2025, 3, 1), fetched_at=FETCHED, ext="jsonl")
    assert list(iter_landing(root)) == []
    assert not [k for k in store.list_keys() if k.endswith(".meta.json")]
