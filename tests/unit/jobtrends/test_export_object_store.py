"""Exports on object storage (moto's S3 server on 127.0.0.1): version files first, then the pointers, so
``latest.json`` always names a complete set, even when an export is killed half way."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest.storage import open_storage
from jobtrends import export, warehouse


@pytest.fixture
def con(tmp_path: Path):
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema marts")
        con.execute("create table marts.alpha as select range as n from range(3)")
        con.execute("create table marts.beta as select 'x' as s")
        yield con


def _latest_rows(url: str) -> dict[str, int]:
    """Follow latest.json as a reader would; every file it names must be there and complete."""
    store = open_storage(url)
    pointer = json.loads(store.read_bytes("latest.json"))
    out = {}
    for name, entry in pointer["files"].items():
        assert entry["key"].startswith(pointer["folder"])
        with store.open(entry["key"]) as fh:
            table = pq.read_table(fh)
        assert table.num_rows == entry["rows"]
        out[name] = table.num_rows
    return out


def test_export_writes_versions_then_pointers(con, s3_bucket: str) -> None:
    url = s3_bucket + "/exports"
    first = export.write_exports(con, url, "2025-01-01")
    store = open_storage(url)
    assert first["files"] == {"alpha": 3, "beta": 1}
    assert first["latest"] == f"{url}/latest.json"
    assert _latest_rows(url) == {"alpha": 3, "beta": 1}
    assert store.read_bytes("LATEST").decode().strip() == first["version"]
    assert json.loads(store.read_bytes("2025-01-01.json"))["version"] == first["version"]
    assert export.latest_pointer(url)["run_date"] == "2025-01-01"
    assert store.list_keys("versions") == [
        f"versions/{first['version']}/alpha.parquet",
        f"versions/{first['version']}/beta.parquet",
    ]

    con.execute("insert into marts.alpha values (3)")
    second = export.write_exports(con, url, "2025-01-02")
    third = export.write_exports(con, url, "2025-01-02")
    assert _latest_rows(url) == {"alpha": 4, "beta": 1}
    versions = {k.split("/")[1] for k in store.list_keys("versions")}
    # kept: each run date's pointer (01-01, 01-02 → third) and the version latest named before (second)
    assert versions == {first["version"], second["version"], third["version"]}
    fourth = export.write_exports(con, url, "2025-01-02")
    assert {k.split("/")[1] for k in store.list_keys("versions")} == {
        first["version"],
        third["version"],
        fourth["version"],
    }


def test_a_killed_export_leaves_latest_on_the_previous_complete_set(
    con, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = s3_bucket + "/exports"
    first = export.write_exports(con, url, "2025-01-01")
    con.execute("insert into marts.alpha values (3)")
    store_cls = type(open_storage(url))
    real_put = store_cls.put_file
    puts = []

    def killed_after_one_file(self, local_path, key):  # type: ignore[no-untyped-def]
        if puts:
            raise KeyboardInterrupt("killed mid-export")
        puts.append(key)
        return real_put(self, local_path, key)

    monkeypatch.setattr(store_cls, "put_file", killed_after_one_file)
    with pytest.raises(KeyboardInterrupt):
        export.write_exports(con, url, "2025-01-02")
    monkeypatch.setattr(store_cls, "put_file", real_put)
    assert puts and puts[0].startswith("versions/")  # a version file was written...
    assert _latest_rows(url) == {"alpha": 3, "beta": 1}  # ...but latest still names the complete one
    assert export.latest_pointer(url)["version"] == first["version"]

    again = export.write_exports(con, url, "2025-01-02")  # the rerun publishes and sweeps the orphan
    assert _latest_rows(url) == {"alpha": 4, "beta": 1}
    assert again["swept"] == 1
    assert {k.split("/")[1] for k in open_storage(url).list_keys("versions")} == {
        first["version"],
        again["version"],
    }
