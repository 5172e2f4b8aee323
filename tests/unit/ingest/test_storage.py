"""The storage wrapper (ingest.storage) on a local folder and on S3 (moto's server on 127.0.0.1), and
the landing zone, run records and source state written through it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import META_SUFFIX, durable_keys, iter_landing, write_landing
from ingest.runner import SourceRunRecord, _write_record, read_run_records
from ingest.state import SourceState, load_state, save_state
from ingest.storage import (
    Storage,
    exports_location,
    is_remote,
    landing_location,
    open_storage,
    storage_options,
)


@pytest.fixture(params=["local", "s3"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "store")
    return request.getfixturevalue("s3_bucket") + "/some/prefix"


def test_write_read_exists_and_list(root: str) -> None:
    store = open_storage(root)
    assert store.list_keys() == []
    assert not store.exists("a/b.json")
    store.write_bytes("a/b.json", b'{"x": 1}')
    store.write_bytes("a/c/d.txt", b"dee")
    store.write_bytes("e.json", b"")
    assert store.exists("a/b.json") and not store.exists("a/b")
    assert store.read_bytes("a/b.json") == b'{"x": 1}'
    assert store.read_bytes("e.json") == b""
    assert store.list_keys() == ["a/b.json", "a/c/d.txt", "e.json"]
    assert store.list_keys("a") == ["a/b.json", "a/c/d.txt"]
    assert store.list_keys("a/", suffix=".json") == ["a/b.json"]
    assert store.list_keys("nothing") == []
    assert store.glob("a/*.json") == ["a/b.json"]
    assert store.glob("*/*/*.txt") == ["a/c/d.txt"]
    with pytest.raises(FileNotFoundError):
        store.read_bytes("a/missing.json")


def test_overwrite_read_many_and_delete(root: str) -> None:
    store = open_storage(root)
    store.write_bytes("k/one", b"1")
    store.write_bytes("k/one", b"one")
    store.write_bytes("k/two", b"2")
    assert store.read_many(["k/one", "k/two", "k/three"]) == {"k/one": b"one", "k/two": b"2"}
    assert store.read_many([]) == {}
    store.delete(["k/one", "k/three"])
    assert store.list_keys() == ["k/two"]
    store.delete("k/two")
    assert store.list_keys() == []


def test_put_get_and_open(root: str, tmp_path: Path) -> None:
    store = open_storage(root)
    src = tmp_path / "in.bin"
    src.write_bytes(bytes(range(256)) * 4096)
    store.put_file(src, "blobs/x.bin")
    out = tmp_path / "out" / "deep" / "x.bin"
    store.get_file("blobs/x.bin", out)
    assert out.read_bytes() == src.read_bytes()
    with store.open("blobs/x.bin") as fh:
        assert fh.read(3) == b"\x00\x01\x02"


def test_keys_must_be_relative_paths(root: str) -> None:
    store = open_storage(root)
    for bad in ("", "/abs", "a/../b", "a//b", "./a"):
        with pytest.raises(ValueError):
            store.write_bytes(bad, b"x")


def test_urls_name_the_backend(tmp_path: Path, s3_bucket: str) -> None:
    local = open_storage(tmp_path)
    assert local.is_local and local.url("a/b") == str(tmp_path / "a" / "b")
    assert open_storage(f"file://{tmp_path}").path("a") == tmp_path / "a"
    remote = open_storage(s3_bucket + "/pre/")
    assert not remote.is_local and remote.url("a/b") == f"{s3_bucket}/pre/a/b"
    with pytest.raises(TypeError):
        remote.path("a")


def test_local_writes_leave_no_temp_files_and_listing_skips_a_killed_writers(tmp_path: Path) -> None:
    store = Storage(tmp_path)
    store.write_bytes("x/y.json", b"{}")
    (tmp_path / "x" / ".y.json.otherhost-123.tmp").write_bytes(b"{half")
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [".y.json.otherhost-123.tmp", "y.json"]
    assert store.list_keys() == ["x/y.json"]
    assert store.glob("x/*") == ["x/y.json"]


def test_is_remote_and_locations(tmp_path: Path) -> None:
    assert is_remote("s3://bucket/prefix") and is_remote("S3://b")
    assert not is_remote("data/landing") and not is_remote(tmp_path) and not is_remote("file:///srv/x")

    class S:
        landing_dir = tmp_path / "landing"
        export_dir = tmp_path / "exports"
        landing_url: str | None = None
        exports_url: str | None = None

    s = S()
    assert landing_location(s) == tmp_path / "landing" and exports_location(s) == tmp_path / "exports"
    s.landing_url, s.exports_url = "s3://b/land/", "~/exp"
    assert landing_location(s) == "s3://b/land"
    assert exports_location(s) == Path("~/exp").expanduser()


def test_storage_options_come_from_the_standard_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert storage_options("s3") == {"use_listings_cache": False}
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert storage_options("s3")["client_kwargs"] == {
        "endpoint_url": "http://minio:9000",
        "region_name": "eu-west-1",
    }
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://s3only:9000")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert storage_options("s3")["client_kwargs"] == {
        "endpoint_url": "http://s3only:9000",
        "region_name": "eu-central-1",
    }


# ----------------------------------------------------------------------------- landing zone on storage

RUN_DATE = date(2026, 1, 5)
FETCHED = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)


def _land(root: str, payload: bytes, source: str = "greenhouse") -> object:
    return write_landing(
        root, source, payload, run_date=RUN_DATE, fetched_at=FETCHED, board="acme", url="https://x.test/a"
    )


def test_landing_is_content_addressed_with_metadata_on_every_backend(root: str) -> None:
    first = _land(root, b'{"jobs": []}')
    again = _land(root, b'{"jobs": []}')
    _land(root, b'{"jobs": [1]}', source="lever")
    store = open_storage(root)
    keys = store.list_keys()
    assert len(keys) == 4  # two payloads, two metadata objects: the repeat wrote nothing
    assert first == again
    payload_key = next(k for k in keys if k.startswith("greenhouse/") and not k.endswith(META_SUFFIX))
    assert payload_key.startswith("greenhouse/dt=2026-01-05/") and payload_key.endswith(".json")
    meta = json.loads(store.read_bytes(payload_key + META_SUFFIX))
    assert meta["source"] == "greenhouse" and meta["board"] == "acme" and meta["size_bytes"] == 12
    assert payload_key.rpartition("/")[2].startswith(meta["sha256"][:24])
    assert first.location == store.url(payload_key)  # type: ignore[attr-defined]
    found = list(iter_landing(root))
    assert [lf.meta.source for lf in found] == ["greenhouse", "lever"]
    assert [lf.location for lf in iter_landing(root, "lever")] == [found[1].location]


def test_a_payload_without_its_metadata_is_invisible(root: str) -> None:
    store = open_storage(root)
    store.write_bytes("greenhouse/dt=2026-01-05/0123456789abcdef01234567.json", b"{}")  # writer killed
    store.write_bytes("_runs/dt=2026-01-05/x.json" + META_SUFFIX, b"{}")  # not a landing file
    assert durable_keys(store) == []
    assert list(iter_landing(root)) == []
    _land(root, b"{}")  # the same bytes landed again complete the landing
    assert [lf.meta.size_bytes for lf in iter_landing(root)] == [2]


def test_run_records_and_state_live_in_the_landing_zone(root: str) -> None:
    for i, name in enumerate(["greenhouse:a", "greenhouse:a-b", "greenhouse:a"]):
        record = SourceRunRecord(
            run_id=f"r{i}", source_name=name, kind="greenhouse", board="a", started_at=f"2026-01-05T0{i}"
        )
        _write_record(root, RUN_DATE, record, FETCHED.replace(minute=i))
    assert [r["run_id"] for r in read_run_records(root)] == ["r0", "r1", "r2"]
    mine = read_run_records(root, "greenhouse:a")
    assert [r["run_id"] for r in mine] == ["r0", "r2"]
    assert mine[0]["record_file"].startswith(str(root)) and "/_runs/dt=2026-01-05/" in mine[0]["record_file"]
    assert load_state(root, "greenhouse:a") == SourceState("greenhouse:a")
    save_state(root, SourceState("greenhouse:a", cursor={"page": 3}, validators={"u": {"etag": "x"}}))
    loaded = load_state(root, "greenhouse:a")
    assert loaded.cursor == {"page": 3} and loaded.validators == {"u": {"etag": "x"}}
    open_storage(root).write_bytes("_state/greenhouse_b.json", b"{not json")
    assert load_state(root, "greenhouse:b").cursor == {}
