"""Live sources that are really there: the three moved boards, board names checked per ATS, and a
board that lists nothing flagged "empty" (not healthy) in run records, ops.source_runs and
`jobtrends sources`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx

from ingest import runner
from ingest.base import SourceSpec
from ingest.config import ConfigError, load_sources
from jobtrends import warehouse
from jobtrends.cli import main
from jobtrends.settings import load_settings

SOURCES_FILE = Path(__file__).resolve().parents[3] / "config" / "sources.yaml"
ASHBY = "https://api.ashbyhq.com/posting-api/job-board/{}"
RUN_DATE = date(2026, 11, 2)


def test_moved_boards_are_on_ashby() -> None:
    enabled = {(s.kind, s.board) for s in load_sources(SOURCES_FILE) if s.enabled}
    assert {("ashby", "runway-ml"), ("ashby", "synthesia"), ("ashby", "mistral.ai")} <= enabled
    assert not {("greenhouse", "runwayml"), ("greenhouse", "synthesia"), ("lever", "mistral")} & enabled


@pytest.mark.parametrize(
    ("kind", "board", "ok"),
    [
        ("ashby", "mistral.ai", True),
        ("ashby", "runway-ml", True),
        ("ashby", "Some_Board", True),
        ("ashby", "../admin", False),
        ("ashby", "a..b", False),
        ("ashby", "openai/jobs", False),
        ("ashby", "open ai", False),
        ("greenhouse", "anthropic", True),
        ("greenhouse", "mistral.ai", False),
        ("greenhouse", "a?b=c", False),
        ("lever", "shield-ai", True),
        ("lever", "palantir#x", False),
        ("pinpoint", "aria", True),
        ("pinpoint", "evil.com/x", False),
        ("pinpoint", "-aria", False),
        ("smartrecruiters", "Visa", True),
        ("workable", "hugging face", False),
    ],
)
def test_board_names_are_checked_per_ats(tmp_path: Path, kind: str, board: str, ok: bool) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(json.dumps({"sources": [{"kind": kind, "boards": [board]}]}))
    if ok:
        assert load_sources(path)[0].board == board
        return
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert f"{board!r} is not a valid {kind} board name" in message and "sources[0].boards[0]" in message


def test_ashby_rule_says_a_dot_is_legal(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - kind: ashby\n    board: 'x/y'\n")
    with pytest.raises(ConfigError, match="a dot is legal"):
        load_sources(path)


@pytest.fixture()
def settings(tmp_path: Path):
    return load_settings(tmp_path, http_rate_per_host_s=0.0, http_max_retries=0)


def _job(i: int) -> dict:
    return {"id": f"j{i}", "title": f"Engineer {i}", "jobUrl": f"https://jobs.ashbyhq.com/x/j{i}"}


def _fetch(settings, board: str, jobs: list[dict]):
    spec = SourceSpec(kind="ashby", name=f"ashby:{board}", board=board)
    with respx.mock() as router:
        router.get(url__startswith=ASHBY.format(board)).mock(
            return_value=httpx.Response(200, json={"jobs": jobs})
        )
        return runner.fetch_to_landing(spec, settings.fetch_settings(), RUN_DATE)


def test_zero_postings_on_the_first_fetch_is_flagged_empty(settings) -> None:
    record = _fetch(settings, "gone", [])
    assert record.status == "empty" and record.flagged
    assert "first fetch" in record.error


def test_a_board_with_postings_is_healthy_then_empty_after_n_runs_in_a_row(settings) -> None:
    assert not _fetch(settings, "small", [_job(1), _job(2)]).flagged
    # a board of two that empties is not flagged by the drop rule (too few before) ...
    assert [(_fetch(settings, "small", [])).flagged for _ in range(2)] == [False, False]
    third = _fetch(settings, "small", [])
    # ... but the third empty fetch in a row is (default setting 3)
    assert third.flagged and "last 3 fetches" in third.error


def test_the_empty_run_count_is_a_setting(settings) -> None:
    settings = settings.with_overrides(sources_empty_runs=2)
    _fetch(settings, "s", [_job(1)])
    assert not _fetch(settings, "s", []).flagged
    assert _fetch(settings, "s", []).flagged


def test_empty_boards_show_as_empty_in_sources_and_ops_source_runs(
    settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fetch(settings, "gone", [])
    _fetch(settings, "fine", [_job(1)])
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - kind: ashby\n    boards: [gone, fine]\n")
    assert main(["--data-dir", str(tmp_path), "sources", "--file", str(sources), "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["ashby:gone"]["health"] == "EMPTY" and rows["ashby:fine"]["health"] == "healthy"
    assert main(["--data-dir", str(tmp_path), "sources", "--file", str(sources)]) == 0
    text = capsys.readouterr().out
    assert "EMPTY" in text and "first fetch" in text
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        warehouse.insert_source_runs(con, runner.read_run_records(settings.landing_dir))
        rows = con.execute(
            "select source_name, status, flagged, error from ops.source_runs order by 1"
        ).fetchall()
    assert rows[0][:3] == ("ashby:fine", "ok", False)
    assert rows[1][:3] == ("ashby:gone", "empty", True) and "first fetch" in rows[1][3]
