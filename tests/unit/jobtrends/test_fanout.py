"""Normalise fanned out (``jobtrends.fanout``): slices → parts on any worker → one idempotent merge.

Hand-made postings imported as a JSON Lines dump; the one-process path (``pipeline.normalise``) on a
copy of the same warehouse is the reference.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jobtrends import fanout, pipeline, warehouse
from jobtrends.settings import Settings, load_settings
from transform import batch, locations

PLACES = [
    "London, UK",
    "Paris, France",
    "London Bridge, London",
    "Berlin",
    "Remote - US",
    "New York, NY",
    "Greater London",
]
LONDON_TEXTS = 3  # distinct location texts above that name London
TITLES = ["Data Engineer", "Senior Machine Learning Engineer", "AI Product Manager", "Account Executive"]


def _loaded(data_dir: Path, tmp: Path) -> Settings:
    settings = replace(load_settings(data_dir), normalise_slice_rows=3)
    dump = tmp / "jobs.jsonl"
    rows = [
        {
            "source_id": str(i),
            "title": TITLES[i % len(TITLES)],
            "company": "Acme",
            "location_text": place,
            "description": f"Python and PyTorch; pay $150,000 - $180,000 a year. Posting {i}.",
        }
        for i, place in enumerate(PLACES)
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pipeline.import_file(settings, dump, run_date=date(2025, 6, 1))
    pipeline.load(settings)
    return settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(batch, "_CACHES", batch._Caches())  # texts other tests cached are parsed again
    return _loaded(tmp_path / "data", tmp_path)


def _fanout(settings: Settings, batch_id: str = "b1") -> dict:
    planned = fanout.plan(settings, batch_id)
    for name in planned["slices"]:
        fanout.normalise_slice(settings, planned["batch"], name)
    return fanout.merge(settings, planned["batch"])


def _normalised(settings: Settings) -> tuple[int, str]:
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        return warehouse.table_fingerprint(con, "normalised.postings", exclude=("normalised_at",))


def _signatures(settings: Settings) -> tuple[int, str]:
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        return warehouse.table_fingerprint(con, "normalised.dedup_signatures")


def test_plan_slices_the_unnormalised_rows_and_writes_the_manifest_last(settings: Settings) -> None:
    planned = fanout.plan(settings, "b1")
    assert planned["rows"] == len(PLACES)
    assert planned["slices"] == ["slice-00000", "slice-00001", "slice-00002"]  # 3 + 3 + 1 rows
    root = settings.data_dir / "parts" / "b1"
    manifest = json.loads((root / "manifest.json").read_text())
    assert [s["rows"] for s in manifest["slices"]] == [3, 3, 1]
    assert sum(pq.read_metadata(root / "input" / f"{s}.parquet").num_rows for s in planned["slices"]) == 7
    # nothing was normalised yet: the warehouse still counts every row as to do
    assert _normalised(settings)[0] == 0


def test_fanned_out_rows_equal_the_one_process_path(settings: Settings, tmp_path: Path) -> None:
    reference = replace(settings, data_dir=tmp_path / "ref", warehouse_path=tmp_path / "ref" / "w.duckdb")
    reference.data_dir.mkdir()
    shutil.copy(settings.warehouse_path, reference.warehouse_path)
    pipeline.normalise(reference)
    summary = _fanout(settings)
    assert summary["normalised"] == len(PLACES) and summary["slices"] == 3
    assert _normalised(settings) == _normalised(reference)
    assert _normalised(settings)[0] == len(PLACES)
    # the descriptions' signatures too: the build signs no text after either path
    assert _signatures(settings) == _signatures(reference) and _signatures(settings)[0] == len(PLACES)


def test_rule_errors_survive_the_fan_out(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    original = locations._parse_text

    def flaky(text: str):  # type: ignore[no-untyped-def]
        if "London" in text:
            raise KeyError("unit test: broken gazetteer entry")
        return original(text)

    monkeypatch.setattr(locations, "_parse_text", flaky)
    summary = _fanout(settings, "b-errors")
    assert summary["rule_errors"] == {"locations.parse_location": LONDON_TEXTS}
    rows = warehouse.query(
        settings.warehouse_path, "select run_id, rule, count, example, error from ops.normalise_errors"
    )[1]
    assert [(r[0], r[1], r[2]) for r in rows] == [("b-errors", "locations.parse_location", LONDON_TEXTS)]
    assert "London" in rows[0][3] and rows[0][4].startswith("KeyError")


def test_a_part_keeps_its_rule_errors_in_the_parquet_metadata(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locations, "_parse_text", lambda text: (_ for _ in ()).throw(ValueError(text)))
    planned = fanout.plan(settings, "b1")
    fanout.normalise_slice(settings, "b1", "slice-00002")  # the one-row slice
    meta = pq.read_schema(settings.data_dir / "parts" / "b1" / "parts" / "slice-00002.parquet").metadata
    assert meta[b"jobtrends.rows"] == b"1" and meta[b"jobtrends.batch"] == b"b1"
    assert json.loads(meta[b"jobtrends.rule_errors"])["counts"] == {"locations.parse_location": 1}
    assert planned["slices"][-1] == "slice-00002"


def test_merge_waits_for_every_part_and_reruns_add_nothing(settings: Settings) -> None:
    planned = fanout.plan(settings, "b1")
    first, *rest = planned["slices"]
    fanout.normalise_slice(settings, "b1", first)
    fanout.normalise_slice(settings, "b1", first)  # a retried slice rewrites its part
    with pytest.raises(fanout.PartsError, match="no part yet for 2 slice"):
        fanout.merge(settings, "b1")
    assert _normalised(settings)[0] == 0  # a failed merge writes nothing
    for name in rest:
        fanout.normalise_slice(settings, "b1", name)
    merged = fanout.merge(settings, "b1")
    fingerprint = _normalised(settings)
    assert merged["normalised"] == len(PLACES) and fingerprint[0] == len(PLACES)
    again = fanout.merge(settings, "b1")
    assert again["already_merged"] and _normalised(settings) == fingerprint
    # slices and parts are gone after the merge; only its summary stays
    assert sorted(p.name for p in (settings.data_dir / "parts" / "b1").iterdir()) == ["merged.json"]
    # a new plan finds nothing left to normalise, and clears the old batch
    assert fanout.plan(settings, "b2")["slices"] == []
    assert sorted(p.name for p in (settings.data_dir / "parts").iterdir()) == ["b2"]
    assert fanout.merge(settings, "b2")["normalised"] == 0


def test_a_merge_after_a_crash_between_commit_and_cleanup_adds_nothing(settings: Settings) -> None:
    planned = fanout.plan(settings, "b1")
    for name in planned["slices"]:
        fanout.normalise_slice(settings, "b1", name)
    root = settings.data_dir / "parts" / "b1"
    kept = root.parent / "kept"
    shutil.copytree(root, kept)
    fanout.merge(settings, "b1")
    fingerprint = _normalised(settings)
    shutil.rmtree(root)
    kept.rename(root)  # as if the merge had committed and then died before writing merged.json
    assert fanout.merge(settings, "b1")["normalised"] == 0
    assert _normalised(settings) == fingerprint


def test_a_part_that_does_not_match_its_slice_is_refused(settings: Settings) -> None:
    fanout.plan(settings, "b1")
    for name in ("slice-00000", "slice-00001", "slice-00002"):
        fanout.normalise_slice(settings, "b1", name)
    parts = settings.data_dir / "parts" / "b1" / "parts"
    shutil.copy(parts / "slice-00002.parquet", parts / "slice-00001.parquet")
    with pytest.raises(fanout.PartsError, match="slice-00001 does not match"):
        fanout.merge(settings, "b1")
    assert _normalised(settings)[0] == 0


def test_a_worker_of_another_taxonomy_version_refuses_the_slice(settings: Settings) -> None:
    fanout.plan(settings, "b1")
    path = settings.data_dir / "parts" / "b1" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "taxonomy_version": "0.0.0-other"}))
    with pytest.raises(fanout.PartsError, match="same jobtrends version"):
        fanout.normalise_slice(settings, "b1", "slice-00000")


def test_bad_batch_and_slice_names_are_refused(settings: Settings) -> None:
    with pytest.raises(fanout.PartsError, match="not a batch id"):
        fanout.merge(settings, "../elsewhere")
    fanout.plan(settings, "b1")
    with pytest.raises(fanout.PartsError, match="not a slice name"):
        fanout.normalise_slice(settings, "b1", "../../input/x")
    with pytest.raises(fanout.PartsError, match="no manifest"):
        fanout.normalise_slice(settings, "b-missing", "slice-00000")


def test_a_slice_is_normalised_without_duckdb(settings: Settings, tmp_path: Path) -> None:
    fanout.plan(settings, "b1")
    code = (
        "import sys\n"
        "from jobtrends import fanout\n"
        "from jobtrends.settings import load_settings\n"
        f"s = load_settings({str(settings.data_dir)!r})\n"
        "print(fanout.normalise_slice(s, 'b1', 'slice-00001')['normalised'])\n"
        "assert 'duckdb' not in sys.modules, 'a worker imported duckdb'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "3"


def test_parts_live_at_the_configured_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_CACHES", batch._Caches())
    monkeypatch.setenv("JOBTRENDS_PARTS_URL", f"file://{tmp_path / 'elsewhere'}")
    settings = _loaded(tmp_path / "data", tmp_path)
    assert fanout.parts_url(settings).endswith("elsewhere")
    assert _fanout(settings)["normalised"] == len(PLACES)
    assert (tmp_path / "elsewhere" / "b1" / "merged.json").exists()
    assert not (tmp_path / "data" / "parts").exists()


# ----------------------------------------------------------------------------- parts on object storage


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A local S3 endpoint: moto's server on 127.0.0.1 (a free port), for this module."""
    server_mod = pytest.importorskip("moto.server")
    pytest.importorskip("s3fs")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_parts_on_s3_give_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    import fsspec

    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    fs = fsspec.filesystem("s3", client_kwargs={"endpoint_url": moto_endpoint}, use_listings_cache=False)
    fs.mkdir("jt-parts")
    monkeypatch.setattr(batch, "_CACHES", batch._Caches())
    monkeypatch.setenv("JOBTRENDS_PARTS_URL", "s3://jt-parts/prefix")
    settings = _loaded(tmp_path / "data", tmp_path)
    reference = replace(settings, data_dir=tmp_path / "ref", warehouse_path=tmp_path / "ref" / "w.duckdb")
    reference.data_dir.mkdir()
    shutil.copy(settings.warehouse_path, reference.warehouse_path)
    pipeline.normalise(reference)

    planned = fanout.plan(settings, "b1")
    assert fs.exists("jt-parts/prefix/b1/manifest.json")
    assert len(planned["slices"]) == 3
    for name in planned["slices"]:
        fanout.normalise_slice(settings, "b1", name)
    assert len(fs.ls("jt-parts/prefix/b1/parts")) == 3
    merged = fanout.merge(settings, "b1")
    assert merged["normalised"] == len(PLACES)
    assert _normalised(settings) == _normalised(reference)
    assert fs.ls("jt-parts/prefix/b1", detail=False) == ["jt-parts/prefix/b1/merged.json"]
    assert not (tmp_path / "data" / "parts").exists()
