"""End to end on object storage: `jobtrends run --sample` with the landing zone and the exports on
``s3://`` (moto's S3 server on 127.0.0.1, fake credentials; nothing reaches the network) publishes the
same marts as the same run on local disk; the landing objects carry their metadata and the exports'
``latest.json`` names complete files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest.landing import META_SUFFIX, durable_keys
from ingest.storage import open_storage
from jobtrends import export, warehouse

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_object_storage")]

# a small sample (as the crash drill's) keeps the two runs short; the marts are compared whole
SCALE = "0.03"


def jobtrends(data_dir: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JOBTRENDS_")}
    proc = subprocess.run(
        [sys.executable, "-m", "jobtrends.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env={**clean, "JOBTRENDS_SAMPLE_SCALE": SCALE, **env},
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def _ledger(db: Path) -> list[tuple]:
    return warehouse.query(db, "select landing_file, sha256, status from ops.landing_files order by 1")[1]


def test_sample_run_on_object_storage_publishes_the_same_marts(tmp_path: Path, s3_bucket: str) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    s3 = {
        "JOBTRENDS_LANDING_URL": f"{s3_bucket}/landing",
        "JOBTRENDS_EXPORTS_URL": f"{s3_bucket}/exports",
    }
    jobtrends(local, "run", "--sample", env={})
    run = jobtrends(remote, "run", "--sample", env=s3)
    assert f"Exports: {s3_bucket}/exports/latest.json" in run.stdout

    prints = jobtrends(remote, "marts", "--fingerprints", env=s3).stdout
    assert prints == jobtrends(local, "marts", "--fingerprints", env={}).stdout
    rows = {
        line.split("\t")[0].removeprefix("marts."): int(line.split("\t")[1]) for line in prints.splitlines()
    }
    assert {"agg_title_growth", "claims", "settings"} <= set(rows) and rows["agg_title_growth"] > 0

    # the landing zone and the exports are in the bucket only
    assert not (remote / "landing").exists() and not (remote / "exports").exists()

    # every landed payload has its metadata object; the ledger names exactly those, as the local run's
    landing = open_storage(s3["JOBTRENDS_LANDING_URL"])
    keys = set(landing.list_keys())
    payloads = durable_keys(landing)
    assert len(payloads) > 100
    assert all(k + META_SUFFIX in keys for k in payloads)
    assert payloads == durable_keys(open_storage(local / "landing"))
    ledger = _ledger(remote / "warehouse.duckdb")
    assert ledger == _ledger(local / "warehouse.duckdb")
    assert sorted(r[0] for r in ledger) == payloads
    assert landing.glob("_runs/dt=*/*.json") and landing.glob("_state/*.json")

    # latest.json names a complete export: every mart, each file whole, with the published row count
    exports = open_storage(s3["JOBTRENDS_EXPORTS_URL"])
    pointer = export.latest_pointer(s3["JOBTRENDS_EXPORTS_URL"])
    assert set(pointer["files"]) == set(rows)
    for name, entry in pointer["files"].items():
        with exports.open(entry["key"]) as fh:
            assert pq.read_table(fh).num_rows == rows[name] == entry["rows"], name
    assert exports.read_bytes("LATEST").decode().strip() == pointer["version"]
