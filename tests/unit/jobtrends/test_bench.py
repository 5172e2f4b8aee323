"""jobtrends.bench: generated dumps, the increment, issue-15 checks, process-tree RSS, the harness at tiny N."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ingest.models import POSTING_FIELDS
from jobtrends import bench


def _rows(files: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for f in files for line in f.read_text().splitlines()]


def test_dumps_are_distinct_deterministic_and_canonical(tmp_path: Path) -> None:
    files = bench.generate_dumps(tmp_path, 300, files=3, workers=1)
    rows = _rows(files)
    assert len(rows) == 300 and len({r["source_id"] for r in rows}) == 300
    assert set(rows[0]) <= set(POSTING_FIELDS)
    assert 2500 <= sum(len(r["description"]) for r in rows) / len(rows) <= 4500
    again = bench.generate_dumps(tmp_path / "again", 300, files=3, workers=1)
    assert again[0].read_bytes() == files[0].read_bytes()


def test_increment_has_new_postings_and_new_versions_of_existing_ones(tmp_path: Path) -> None:
    base = {
        r["source_id"]: r for r in _rows(bench.generate_dumps(tmp_path / "base", 1000, files=2, workers=1))
    }
    files, info = bench.generate_increment(tmp_path / "inc", 1000, new=400)
    rows = _rows(files)
    assert info == {"new_postings": 300, "new_versions": 100} and len(rows) == 400
    ids = [r["source_id"] for r in rows]
    assert len(set(ids)) == 400
    changed = [r for r in rows if r["source_id"] in base]
    assert len(changed) == 100
    # the same posting key with other content, spread over the warehouse rather than its first rows
    assert all(r["description"] != base[r["source_id"]]["description"] for r in changed)
    assert max(int(r["source_id"][1:]) for r in changed) > 900
    assert all(r["posted_at"] >= "2025-12" for r in rows)  # the last month of the generated range
    # fewer existing postings than a quarter of the increment: every one of them gets a new version
    _, small = bench.generate_increment(tmp_path / "small", 50, new=400)
    assert small == {"new_postings": 350, "new_versions": 50}


def _stages(**over: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rss = {"rss": {"largest_mb": 1000.0, "sum_mb": 1500.0}}
    stages = {
        "land": {"seconds": 10.0, **rss},
        "load": {"seconds": 20.0, **rss},
        "native": {"seconds": 19.0},
        "normalise": {"seconds": 15.0, **rss},
        "build": {"seconds": 24.0, **rss},
        "rebuild": {"seconds": 12.0, **rss},
        "export": {"seconds": 3.0, **rss},
        "increment": {"seconds": 9.0, **rss},
        "next_night": {"seconds": 9.5, **rss},
        "e2e": {"seconds": 59.0, **rss},
        "validate": {"skipped": "absent"},
        "queries": {"queries": {"q": {"p95_ms": 12.0}}},
    }
    stages.update(over)
    return stages


def test_checks_follow_issue_15_targets() -> None:
    result = {c["check"]: c["result"] for c in bench.evaluate(1_000_000, _stages())}
    assert result["end to end seconds (land → publish → export)"] == "PASS"
    assert result["load speed / DuckDB read_json speed"] == "PASS"  # 19/20 = 0.95
    assert result["first build seconds (validation included)"] == "PASS"
    assert result["rebuild with nothing new seconds (validation included)"] == "FAIL"  # 12 > 10
    assert result["increment of 20,000 end to end seconds"] == "PASS"
    assert result["next night's increment of 20,000 end to end seconds"] == "PASS"
    assert result["GX validation seconds"] == "SKIP" and result["query p95 ms: q"] == "PASS"
    assert {k for k in result if k.startswith("peak RSS")} == {
        f"peak RSS GB, largest process: {s}" for s in bench.MEMORY_STAGES
    }


def test_checks_fail_on_slow_load_and_on_any_process_over_4_gb() -> None:
    stages = _stages(
        native={"seconds": 17.0},
        load={"seconds": 20.0, "rss": {"largest_mb": 4200.0, "sum_mb": 4300.0}},
        increment={"seconds": 12.0, "rss": {"largest_mb": 900.0}},
        next_night={"seconds": 10.5, "rss": {"largest_mb": 900.0}},
    )
    result = {c["check"]: c for c in bench.evaluate(1_000_000, stages)}
    assert result["load speed / DuckDB read_json speed"]["result"] == "FAIL"  # 0.85 < 0.9
    assert result["peak RSS GB, largest process: load"]["result"] == "FAIL"
    assert result["peak RSS GB, largest process: normalise"]["result"] == "PASS"
    assert result["increment of 20,000 end to end seconds"]["result"] == "FAIL"
    assert result["next night's increment of 20,000 end to end seconds"]["result"] == "FAIL"
    # time targets scale with N; the increment's scales with the increment only
    small = {c["check"]: c for c in bench.evaluate(100_000, stages, increment=2_000)}
    assert small["end to end seconds (land → publish → export)"]["target"] == pytest.approx(6.0)
    assert small["increment of 2,000 end to end seconds"]["target"] == pytest.approx(1.0)
    assert (
        "error" not in stages and bench.evaluate(1_000_000, {"e2e": {"error": "boom"}})[0]["result"] == "SKIP"
    )


_TREE = """
import subprocess, sys, time
buf = bytearray(150 * 2**20)
child = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(80 * 2**20); time.sleep(3)"])
time.sleep(2.5)
child.wait()
"""


def test_tree_rss_sees_the_largest_process_and_the_sum_of_the_tree() -> None:
    proc = subprocess.Popen([sys.executable, "-c", _TREE])
    with bench.TreeRss(proc.pid, interval=0.05) as rss:
        proc.wait()
        time.sleep(0.1)
    peaks = rss.peaks()
    assert peaks["processes"] == 2
    assert 150 <= peaks["largest_mb"] < 400
    assert peaks["sum_mb"] >= peaks["largest_mb"] + 70  # the child's 80 MB alive at the same time
    assert rss.peaks(0, 1)["samples"] == 0  # a window before the run has no samples


@pytest.mark.e2e
@pytest.mark.xdist_group("bench")
def test_harness_at_tiny_n_reports_every_stage_with_memory(tmp_path: Path) -> None:
    stages = ("land", "load", "native", "normalise", "build", "export", "increment", "next_night", "e2e")
    report = bench.run_bench(2_000, files=2, runs=2, increment=400, stages=stages, work_dir=tmp_path)
    assert list(report["stages"]) == list(stages)
    assert not {k: s["error"] for k, s in report["stages"].items() if "error" in s}
    assert report["increment"] == report["next_night"] == {"new_postings": 300, "new_versions": 100}
    for name, stage in report["stages"].items():
        assert stage["seconds"] > 0, name
        rss = stage["rss"]
        assert 30 < rss["largest_mb"] <= rss["sum_mb"], name
        assert rss["processes"] >= 1 and rss["samples"] >= 1, name
    steps = ["land", "load", "normalise", "validate + build marts", "export"]
    for name in ("increment", "next_night", "e2e"):
        stage = report["stages"][name]
        assert [s["step"] for s in stage["steps"]] == steps
        assert all(s["rss"]["largest_mb"] for s in stage["steps"] if s["seconds"] > 0.3)
        assert stage["seconds"] >= sum(s["seconds"] for s in stage["steps"]) * 0.99
    inc = {s["step"]: s["summary"] for s in report["stages"]["increment"]["steps"]}
    assert inc["load"]["postings"] == 400 and inc["normalise"]["normalised"] == 400
    # the next night's postings are all new to the warehouse: none of them is a version seen the night before
    night = {s["step"]: s["summary"] for s in report["stages"]["next_night"]["steps"]}
    assert night["load"]["postings"] == 400 and night["normalise"]["normalised"] == 400
    assert night["validate + build marts"]["validation"]["marts"]["refresh_modes"] == {
        "intermediate.int_posting_stable_facts": "incremental",
        "intermediate.int_skill_months": "incremental",
    }
    e2e = {s["step"]: s["summary"] for s in report["stages"]["e2e"]["steps"]}
    assert e2e["load"]["postings"] == 2_000 and e2e["export"]["files"]
    names = {c["check"] for c in report["checks"]}
    assert {
        "end to end seconds (land → publish → export)",
        "first build seconds (validation included)",
        "increment of 400 end to end seconds",
        "next night's increment of 400 end to end seconds",
        "peak RSS GB, largest process: next_night",
        "peak RSS GB, largest process: increment",
    } <= names
    assert all(c["result"] in {"PASS", "FAIL", "SKIP"} for c in report["checks"])
    text = bench.render(report)
    assert "increment" in text and "  validate + build marts" in text and "largest MB" in text
    # where the first build's time went, down to its three slowest models
    build = report["stages"]["build"]["summary"]["validation"]["marts"]
    slowest = sorted(build["model_seconds"].items(), key=lambda item: -item[1])[:3]
    assert "slowest models " + " / ".join(f"{n.split('.')[-1]} {s:.1f}" for n, s in slowest) in text
