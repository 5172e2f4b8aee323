"""End to end: `jobtrends run --sample` through the real CLI, on a fresh data folder.

One full run (scale 1.0) is shared by the tests in this module; they read it, never write it,
except the re-run test, which runs the pipeline a second time into the same folder on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobtrends import warehouse
from jobtrends.sample.truths import TRUTHS, mart_checks

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_sample")]


def jobtrends(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobtrends.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=1800,
        check=False,
    )


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data = tmp_path_factory.mktemp("e2e") / "data"
    proc = jobtrends(data, "run", "--sample", "--json", str(data.parent / "summary.json"))
    assert proc.returncode == 0, f"run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return data, proc


def mart_names(db: Path) -> list[str]:
    _, rows = warehouse.query(
        db, "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    )
    return [r[0] for r in rows]


def fingerprints(db: Path) -> dict[str, tuple[int, str]]:
    with warehouse.connect(db, read_only=True) as con:
        return {name: warehouse.table_fingerprint(con, f"marts.{name}") for name in mart_names(db)}


def test_run_builds_the_warehouse_and_prints_a_summary(
    sample_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data, proc = sample_run
    assert (data / "warehouse.duckdb").exists()
    assert {"agg_title_growth", "agg_skill_frequency", "agg_salary_trends", "claims"} <= set(
        mart_names(data / "warehouse.duckdb")
    )
    out = proc.stdout
    assert "ai_ml_engineer" in out and "%" in out  # names the roles and their growth
    assert "SYNTHETIC" in out
    summary = json.loads((data.parent / "summary.json").read_text())
    assert [s["step"] for s in summary["steps"]][0] == "ingest"
    assert (data / "exports" / "latest" / "agg_title_growth.parquet").exists()


def test_generator_truths_are_recovered(sample_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    data, _ = sample_run
    with warehouse.connect(data / "warehouse.duckdb", read_only=True) as con:
        checks = mart_checks(con, TRUTHS)
    failed = [c for c in checks if not c["ok"]]
    assert checks and not failed, "\n".join(
        f"{c['name']}: expected {c['expected']}, got {c['observed']}" for c in failed
    )


def test_every_claim_regenerates_its_value(sample_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    data, _ = sample_run
    db = data / "warehouse.duckdb"
    _, claims = warehouse.query(db, "select claim_id, value, sql from marts.claims")
    assert len(claims) >= 10
    for claim_id, value, sql in claims:
        _, rows = warehouse.query(db, sql)
        got = rows[0][0] if rows else None
        if value is None:
            assert got is None, claim_id
        else:
            assert got == pytest.approx(value, rel=1e-9, abs=1e-9), claim_id


def test_query_reads_and_refuses_writes(sample_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    data, _ = sample_run
    ok = jobtrends(data, "query", "select count(*) as n from marts.agg_title_growth", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["n"] > 0
    csv = jobtrends(data, "query", "select role from marts.dim_roles order by role", "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.splitlines()[0] == "role"
    refused = jobtrends(data, "query", "drop table marts.claims")
    assert refused.returncode == 2 and "writes" in refused.stderr
    assert "claims" in mart_names(data / "warehouse.duckdb")


def test_report_has_four_sections_with_claim_ids(
    sample_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data, _ = sample_run
    proc = jobtrends(data, "report", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # (a) salaries by band, (b) growth, (c) top skills, (d) wage premium: each present, each with claim ids.
    assert report["salary"] and report["growth"] and report["top_skills"] and report["wage_premium"]
    salary_ids = [cid for r in report["salary"] for b in r["bands"].values() for cid in b["claim_ids"]]
    assert salary_ids and all(cid.startswith(("salary_min:", "salary_max:")) for cid in salary_ids)
    assert all(g["claim_id"].startswith("growth_yoy:") for g in report["growth"])
    skills = [s for r in report["top_skills"] for s in r["skills"]]
    assert skills and all(s["claim_id"].startswith("skill_share:") for s in skills)
    assert all(p["claim_id"].startswith("wage_premium:") for p in report["wage_premium"])
    md = jobtrends(data, "report", "--format", "markdown")
    assert md.returncode == 0 and "Entry" in md.stdout and "Senior+" in md.stdout
    headings = [line for line in md.stdout.splitlines() if line.startswith("## ")]
    assert [h.split()[1] for h in headings] == ["Salaries", "Fastest-growing", "Top", "Wage"], headings


def test_second_run_same_date_leaves_identical_marts(
    sample_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data, _ = sample_run
    db = data / "warehouse.duckdb"
    before = fingerprints(db)
    _, raw_before = warehouse.query(db, "select count(*) from raw.postings")
    again = jobtrends(data, "run", "--sample")
    assert again.returncode == 0, again.stderr[-3000:]
    assert fingerprints(db) == before
    assert warehouse.query(db, "select count(*) from raw.postings")[1] == raw_before


def test_run_writes_the_dashboard_and_it_renders_offline(
    sample_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    from jobtrends import browser

    data, proc = sample_run
    board = data / "dashboard" / "index.html"
    assert f"Dashboard: {board}" in proc.stdout
    assert board.stat().st_size < 5_000_000
    chromium = browser.find_chromium()
    if not chromium:
        reason = "no chromium executable (apt-get install -y chromium; .ci/run does this in CI)"
        if os.environ.get("CI", "").lower() == "true" or os.environ.get("JOBTRENDS_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    report = browser.open_page(board, executable=chromium, texts={"banner": "#sample-banner"})
    assert report.rendered == "ok", report.as_dict()
    assert report.charts and all(c["marks"] > 0 for c in report.charts), report.charts
    assert report.console_errors == [] and report.external_requests() == []
    assert "SYNTHETIC SAMPLE" in report.texts.get("banner", "")
