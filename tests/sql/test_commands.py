"""``jobtrends report|marts|export`` on a small built warehouse (read-only), and the export layout."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jobtrends import cli, export, warehouse

from .conftest import SQL_DIR, Given


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    with warehouse.connect(tmp_path / "warehouse.duckdb") as con:
        warehouse.ensure_schema(con, SQL_DIR)
        g = Given(con, tmp_path)
        for i in range(6):
            g.posting(
                f"gh:a{i}",
                posted="2024-02-10",
                company=f"C{i % 3}",
                title_clean=f"a{i}",
                pay=(100_000, 150_000),
            )
            g.posting(
                f"gh:b{i}",
                posted="2025-02-10",
                company=f"C{i % 3}",
                title_clean=f"b{i}",
                pay=(120_000, 170_000),
            )
        g.posting("gh:z", posted="2025-04-02", company="C1", title_clean="z", skills=("pytorch",))
        assert g.build(min_base=3)["status"] == "published"
    return tmp_path


def test_report_formats(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "report"]) == 0
    out = capsys.readouterr().out
    assert "$100k\u2013$150k (n=6)" in out and "salary_min:year:2024-01-01:ai_ml_engineer:Mid-Level" in out
    assert "+0.0%" in out  # 6 new unique roles in 2025-Q1 against 6 in 2024-Q1
    assert cli.main(["--data-dir", str(data_dir), "report", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"salary", "growth", "top_skills", "wage_premium"} <= set(data)
    assert cli.main(["--data-dir", str(data_dir), "report", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# AI job-market report")


def test_marts_lists_grain_and_description(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "marts", "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["agg_title_growth"]["grain"].startswith("one row per (period_grain, period_start, role")
    assert all(r["description"] for r in rows.values())


def test_export_writes_stable_names_atomically(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "export", "--run-date", "2025-04-03"]) == 0
    summary = json.loads(capsys.readouterr().out)
    exports = data_dir / "exports"
    names = sorted(p.name for p in (exports / "2025-04-03").iterdir())
    assert names == sorted(f"{m}.parquet" for m in summary["files"])
    assert "claims.parquet" in names and "agg_title_growth.parquet" in names
    assert sorted(p.name for p in (exports / "latest").iterdir()) == names
    table = pq.read_table(exports / "latest" / "claims.parquet")
    assert table.num_rows == summary["files"]["claims"]
    # a second export of the same day is a new version the links move to; no staging folders are left
    # behind, and the version before stays (a reader may still be listing it)
    assert cli.main(["--data-dir", str(data_dir), "export", "--run-date", "2025-04-03"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in exports.iterdir()) == ["2025-04-03", "LATEST", "latest", "versions"]
    assert (exports / "latest").resolve() == (exports / "versions" / second["version"]).resolve()
    assert sorted(p.name for p in (exports / "versions").iterdir()) == sorted(
        [summary["version"], second["version"]]
    )


def test_export_rejects_a_bad_run_date(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "export", "--run-date", "04/03/2025"]) == 2
    with warehouse.connect(data_dir / "warehouse.duckdb", read_only=True) as con, pytest.raises(ValueError):
        export.write_exports(con, data_dir / "exports", "2025-4-3")


def test_export_stage_takes_settings_and_a_date(data_dir):
    from datetime import date

    from jobtrends.settings import load_settings

    summary = export.export_marts(load_settings(data_dir), date(2025, 4, 5))
    assert summary["run_date"] == "2025-04-05"
    assert (data_dir / "exports" / "2025-04-05" / "claims.parquet").exists()


def test_commands_without_a_warehouse_fail_cleanly(tmp_path, capsys):
    for command in (["report"], ["marts"], ["export"]):
        assert cli.main(["--data-dir", str(tmp_path), *command]) == 2
        assert "no warehouse" in capsys.readouterr().err
