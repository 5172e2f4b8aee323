"""End to end with bad input: nothing stops the run, nothing is lost, bad data is never published."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import write_landing
from jobtrends import warehouse

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e_bad_input")]
SMALL = {"JOBTRENDS_SAMPLE_SCALE": "0.25"}


def jobtrends(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobtrends.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **SMALL},
        timeout=1800,
        check=False,
    )


def test_truncated_payload_and_untitled_row_are_quarantined_and_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    board = {
        "jobs": [
            {
                "id": 9001,
                "title": "ML Engineer",
                "absolute_url": "https://x.test/9001",
                "location": {"name": "Remote"},
                "updated_at": "2025-05-01T00:00:00Z",
                "first_published": "2025-05-01T00:00:00Z",
                "content": "&lt;p&gt;PyTorch&lt;/p&gt;",
                "company_name": "Truncated Inc",
            }
        ],
        "meta": {"total": 1},
    }
    payload = json.dumps(board).encode()
    fetched = datetime(2025, 5, 2, tzinfo=UTC)
    truncated = write_landing(
        data / "landing",
        "greenhouse",
        payload[:-40],
        run_date=date(2025, 5, 2),
        fetched_at=fetched,
        board="truncated",
        complete_listing=True,
    )
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        json.dumps({"source": "dump", "source_id": "1", "title": "Data Scientist", "company": "Acme"})
        + "\n"
        + json.dumps({"source": "dump", "source_id": "2", "title": None, "company": "No Title Ltd"})
        + "\n"
        # parses, but pays an impossible $5M–$6M a year: quarantined by validation, the rest published
        + json.dumps(
            {
                "source": "dump",
                "source_id": "3",
                "title": "Machine Learning Engineer",
                "company": "Bigco Labs",
                "pay_text": "$5,000,000 - $6,000,000 a year",
            }
        )
        + "\n"
    )
    imported = jobtrends(data, "import", str(dump), "--run-date", "2025-05-02")
    assert imported.returncode == 0, imported.stderr

    proc = jobtrends(data, "run", "--sample")
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "quarantined" in proc.stdout

    db = data / "warehouse.duckdb"
    _, rows = warehouse.query(
        db, "select landing_file, reason, record from ops.quarantine where stage = 'load'"
    )
    files = {r[0] for r in rows}
    # landing_file is relative to the landing zone
    assert truncated.path.relative_to(data / "landing").as_posix() in files, rows
    assert any("No Title Ltd" in (r[2] or "") and "title" in r[1] for r in rows)
    assert truncated.path.read_bytes() == payload[:-40]  # the raw payload is kept unchanged
    # the good row of the dump made it through
    assert warehouse.query(db, "select count(*) from raw.postings where posting_key = 'dump:1'")[1] == [(1,)]
    _, rows = warehouse.query(
        db, "select posting_key, reason from ops.quarantine where stage = 'validate' and released_at is null"
    )
    assert {key for key, _ in rows} == {"dump:3"}
    assert {reason for _, reason in rows} >= {"annual_min_usd outside 5k–2M USD"}
    facts = "select posting_key from intermediate.int_posting_facts where posting_key like 'dump:%'"
    assert warehouse.query(db, facts)[1] == [("dump:1",)]


def test_defective_batch_keeps_published_marts_and_quarantines_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = jobtrends(data, "run", "--sample")
    assert first.returncode == 0, first.stderr[-4000:]
    db = data / "warehouse.duckdb"
    with warehouse.connect(db, read_only=True) as con:
        before = {t: warehouse.table_fingerprint(con, f"marts.{t}") for t in ("agg_title_growth", "claims")}

    # A defective batch arrives: pay min above max and an unknown role, as a broken normaliser would write
    # (far more than 1% of the new batch: publishing stops instead of quarantining and going on).
    with warehouse.connect(db) as con:
        con.execute(
            """
            insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority,
                is_ai_role, salary_min, salary_max, salary_currency, salary_period, annual_min_usd, annual_max_usd)
            select posting_key, content_hash || '-bad', taxonomy_version, 'wizard', seniority, is_ai_role,
                   200000, 100000, 'USD', 'year', 200000, 100000
            from normalised.postings limit 200
            """
        )
    proc = jobtrends(data, "run", "--sample")
    assert proc.returncode == 3, "a blocked publish must fail the run loudly"
    assert (
        "validation blocked publishing in the normalised layer: 200 of 200 new normalised rows" in proc.stderr
    )
    with warehouse.connect(db, read_only=True) as con:
        after = {t: warehouse.table_fingerprint(con, f"marts.{t}") for t in ("agg_title_growth", "claims")}
    assert after == before
    _, rows = warehouse.query(db, "select check_name, reason from ops.quarantine where stage = 'validate'")
    assert rows, "the bad rows must be in quarantine with the expectation that caught them"
