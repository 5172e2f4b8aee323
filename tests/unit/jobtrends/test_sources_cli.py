"""``jobtrends parse`` and ``jobtrends sources``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobtrends.cli import main

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"


def test_parse_prints_json_lines(capsys: pytest.CaptureFixture[str]):
    code = main(
        ["parse", "greenhouse", str(PAYLOADS / "greenhouse/board_content.json"), "--board", "examplelabs"]
    )
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 2 and "2 postings, 0 errors" in err
    first = lines[0]
    for key in ("source", "source_id", "title", "company", "location", "url", "posted_at", "description"):
        assert key in first
    assert first["location"] == "San Francisco, CA" and first["posted_at"] == "2026-09-30T16:00:00+00:00"


def test_parse_zero_postings_with_note_is_ok(capsys: pytest.CaptureFixture[str]):
    code = main(["parse", "jsonld", str(PAYLOADS / "jsonld/no_jobposting.html")])
    out, err = capsys.readouterr()
    assert code == 0 and out == "" and "no schema.org JobPosting" in err


def test_parse_file_kind_with_mapping_and_errors_to_stderr(capsys: pytest.CaptureFixture[str]):
    code = main(
        [
            "parse",
            "file",
            str(PAYLOADS / "file/postings.csv"),
            "--format",
            "csv",
            "--map",
            "title=Job Title",
            "--options",
            '{"id_column": "id"}',
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and len(out.splitlines()) == 2 and "row/1: error: row has no title" in err


def test_parse_unreadable_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    code = main(["parse", "lever", str(tmp_path / "missing.json")])
    assert code == 2 and "cannot read" in capsys.readouterr().err


def test_parse_unknown_kind_exits_2(capsys: pytest.CaptureFixture[str]):
    assert main(["parse", "monster", str(PAYLOADS / "lever/postings.json")]) == 2
    assert "unknown kind 'monster'" in capsys.readouterr().err


def test_sources_lists_health_from_run_records(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - kind: greenhouse\n    boards: [a, b]\n  - kind: hn\n    enabled: false\n"
    )
    runs = tmp_path / "landing" / "_runs" / "dt=2026-10-20"
    runs.mkdir(parents=True)
    record = {
        "run_id": "r1", "source_name": "greenhouse:a", "kind": "greenhouse", "board": "a",
        "started_at": "2026-10-20T01:00:00+00:00", "finished_at": "2026-10-20T01:00:01+00:00", "status": "empty",
        "http_status": 200, "postings_seen": 0, "error": "flagged: 0 postings now, but 12 in a recent run",
        "flagged": True, "landing_files": [],
    }  # fmt: skip
    (runs / "greenhouse_a-1.json").write_text(json.dumps(record))
    code = main(["--data-dir", str(tmp_path), "sources", "--file", str(sources), "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["name"] for r in rows] == ["greenhouse:a", "greenhouse:b", "hn"]
    assert rows[0]["flagged"] and rows[0]["last_status"] == "empty" and rows[0]["last_postings_seen"] == 0
    assert rows[1]["last_status"] is None and rows[2]["enabled"] is False
    assert main(["--data-dir", str(tmp_path), "sources", "--file", str(sources)]) == 0
    text = capsys.readouterr().out
    assert "FLAGGED" in text and "3 sources (2 enabled)" in text


def test_sources_bad_file_is_a_user_error(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    bad = tmp_path / "s.yaml"
    bad.write_text("sources:\n  - kind: nope\n")
    assert main(["--data-dir", str(tmp_path), "sources", "--file", str(bad)]) == 2
    assert "unknown kind 'nope'" in capsys.readouterr().err
