"""ingest.runner + ingest.state: isolation, run records, conditional requests, cursors, flagging."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx

from ingest import runner
from ingest.base import SourceSpec
from ingest.http import HttpClient
from ingest.landing import iter_landing
from ingest.state import load_state, save_state, state_path
from jobtrends.settings import load_settings

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
RUN_DATE = date(2026, 10, 20)
GH = "https://boards-api.greenhouse.io/v1/boards/{}/jobs"
DDL = Path(__file__).resolve().parents[3] / "sql" / "ddl" / "020_ops.sql"


def payload(relative: str) -> bytes:
    return (PAYLOADS / relative).read_bytes()


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(tmp_path, http_rate_per_host_s=0.0, http_max_retries=2).fetch_settings()


def gh(board: str) -> SourceSpec:
    return SourceSpec(kind="greenhouse", name=f"greenhouse:{board}", board=board)


@contextlib.contextmanager
def ten_postings_then_none(board: str) -> Iterator[None]:
    """The Greenhouse board lists 10 postings on the first fetch and none on the next."""
    many = {"jobs": [{"id": i, "title": f"Job {i}"} for i in range(10)], "meta": {"total": 10}}
    with respx.mock() as router:
        router.get(GH.format(board)).mock(
            side_effect=[
                httpx.Response(200, json=many),
                httpx.Response(200, json={"jobs": [], "meta": {"total": 0}}),
            ]
        )
        yield


HN = SourceSpec(kind="hn", name="hn", params={"months": 1})


@contextlib.contextmanager
def hn_thread() -> Iterator[None]:
    """HN's thread search and the one thread it finds (the fixture payloads)."""
    with respx.mock() as router:
        router.get("https://hn.algolia.com/api/v1/search").mock(
            return_value=httpx.Response(200, content=payload("hn/search.json"))
        )
        router.get("https://hn.algolia.com/api/v1/items/45100000").mock(
            return_value=httpx.Response(200, content=payload("hn/item.json"))
        )
        yield


def source_runs_columns() -> set[str]:
    ddl = DDL.read_text()
    block = ddl[ddl.index("ops.source_runs") :].split(");", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\s{4}(\w+)\s", block, re.M)}


def test_failures_are_isolated_and_recorded(settings):
    specs = [
        gh("okboard"),
        gh("ratelimited"),
        gh("flaky"),
        gh("slow"),
        gh("truncated"),
        gh("htmlpage"),
        gh("loop"),
        SourceSpec(kind="lever", name="lever:examplelabs", board="examplelabs"),
    ]
    with respx.mock() as router:
        router.get(GH.format("okboard")).mock(
            return_value=httpx.Response(200, content=payload("greenhouse/board_content.json"))
        )
        router.get(GH.format("ratelimited")).mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "2"}),
                httpx.Response(200, content=payload("greenhouse/board_listing.json")),
            ]
        )
        router.get(GH.format("flaky")).mock(
            side_effect=[
                httpx.Response(500),
                httpx.Response(200, content=payload("greenhouse/board_listing.json")),
            ]
        )
        router.get(GH.format("slow")).mock(side_effect=httpx.ConnectTimeout("timed out"))
        router.get(GH.format("truncated")).mock(
            return_value=httpx.Response(200, text='{"jobs": [{"id": 1, "ti')
        )
        router.get(GH.format("htmlpage")).mock(
            return_value=httpx.Response(
                200, text="<html><body>Sign in</body></html>", headers={"content-type": "text/html"}
            )
        )
        router.get(GH.format("loop")).mock(
            return_value=httpx.Response(302, headers={"Location": GH.format("loop") + "?x=1"})
        )
        router.get("https://api.lever.co/v0/postings/examplelabs").mock(
            return_value=httpx.Response(200, content=payload("lever/postings.json"))
        )
        sleeps: list[float] = []
        with HttpClient(settings.http, sleep=sleeps.append, rate_per_host_s=0) as client:
            records = runner.fetch_all(specs, settings, RUN_DATE, client=client)
    by_name = {r.source_name: r for r in records}
    assert [r.source_name for r in records] == [s.name for s in specs]
    assert by_name["greenhouse:okboard"].status == "ok" and by_name["greenhouse:okboard"].postings_seen == 2
    assert by_name["greenhouse:ratelimited"].status == "ok" and 2.0 in sleeps
    assert by_name["greenhouse:flaky"].status == "ok" and by_name["greenhouse:flaky"].postings_seen == 1
    slow = by_name["greenhouse:slow"]
    assert (
        slow.status == "failed" and slow.error.startswith("timeout: timed out") and "3 attempts" in slow.error
    )
    assert (
        by_name["greenhouse:truncated"].status == "failed"
        and "truncated" in by_name["greenhouse:truncated"].error
    )
    assert (
        "expected JSON" in by_name["greenhouse:htmlpage"].error
        and "text/html" in by_name["greenhouse:htmlpage"].error
    )
    assert (
        "too many redirects" in by_name["greenhouse:loop"].error
        and by_name["greenhouse:loop"].http_status == 302
    )
    assert by_name["lever:examplelabs"].status == "ok" and by_name["lever:examplelabs"].postings_seen == 2
    assert len({r.run_id for r in records}) == 1
    for r in records:
        if r.status == "failed":
            assert r.landing_files == [] and r.postings_seen is None

    # run records on disk carry the ops.source_runs columns (the loader adds record_file)
    files = sorted((settings.landing_dir / "_runs" / "dt=2026-10-20").glob("*.json"))
    assert len(files) == len(specs)
    on_disk = json.loads(files[0].read_text())
    assert set(on_disk) == source_runs_columns() - {"record_file"}
    landed = list(iter_landing(settings.landing_dir, "greenhouse"))
    assert len(landed) == 2 and all(lf.meta.complete_listing for lf in landed)
    assert load_state(settings.landing_dir, "greenhouse:slow").validators == {}


def test_conditional_requests_and_not_modified(settings):
    spec = gh("examplelabs")
    with respx.mock() as router:
        route = router.get(GH.format("examplelabs")).mock(
            side_effect=[
                httpx.Response(
                    200, content=payload("greenhouse/board_content.json"), headers={"ETag": '"abc"'}
                ),
                httpx.Response(304),
            ]
        )
        first = runner.fetch_to_landing(spec, settings, RUN_DATE)
        second = runner.fetch_to_landing(spec, settings, RUN_DATE)
    assert first.status == "ok" and len(first.landing_files) == 1
    assert second.status == "not_modified" and second.landing_files == [] and second.http_status == 304
    assert route.calls.last.request.headers["if-none-match"] == '"abc"'
    state = json.loads(state_path(settings.landing_dir, spec.name).read_text())
    url = GH.format("examplelabs") + "?content=true"
    assert state["validators"][url] == {"etag": '"abc"'}


def test_state_advances_only_after_landing(settings, monkeypatch: pytest.MonkeyPatch):
    spec = gh("examplelabs")

    def broken_disk(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(runner, "write_landing", broken_disk)
    with respx.mock() as router:
        router.get(GH.format("examplelabs")).mock(
            return_value=httpx.Response(
                200, content=payload("greenhouse/board_content.json"), headers={"ETag": '"abc"'}
            )
        )
        record = runner.fetch_to_landing(spec, settings, RUN_DATE)
    assert record.status == "failed" and "disk full" in record.error
    assert not state_path(settings.landing_dir, spec.name).exists()


def test_zero_postings_after_many_is_flagged(settings):
    spec = gh("examplelabs")
    with ten_postings_then_none("examplelabs"):
        before = runner.fetch_to_landing(spec, settings, RUN_DATE)
        after = runner.fetch_to_landing(spec, settings, RUN_DATE)
    assert before.status == "ok" and not before.flagged
    assert after.status == "empty" and after.postings_seen == 0 and after.flagged
    assert "0 postings now, but 10" in after.error


def test_a_fetch_counts_postings_without_rendering_their_html(settings, monkeypatch: pytest.MonkeyPatch):
    """Rendering is most of a parse and the load parses the payload again: a fetch of a connector that
    counts without text renders no description, and counts what the load will find."""
    import ingest.html

    def no_rendering(markup: str) -> str:
        raise AssertionError(f"a fetch rendered HTML: {markup[:60]!r}")

    content = payload("greenhouse/board_content.json")
    expected = len(json.loads(content)["jobs"])
    # the fixture's descriptions are HTML (entity-escaped, as Greenhouse sends)
    assert "&lt;" in content.decode()
    monkeypatch.setattr(ingest.html, "_render", no_rendering)
    ingest.html._html_to_text_cached.cache_clear()
    with respx.mock() as router:
        router.get(GH.format("examplelabs")).mock(return_value=httpx.Response(200, content=content))
        record = runner.fetch_to_landing(gh("examplelabs"), settings, RUN_DATE)
    assert record.status == "ok" and record.postings_seen == expected > 0
    # hn counts from the rendered text (COUNTS_WITHOUT_TEXT = False): its fetch still renders
    with hn_thread():
        record = runner.fetch_to_landing(HN, settings, RUN_DATE)
    assert record.status == "failed" and "a fetch rendered HTML" in (record.error or "")


def test_hn_cursor_is_saved_after_landing(settings):
    with hn_thread():
        record = runner.fetch_to_landing(HN, settings, RUN_DATE)
    assert record.status == "ok" and record.postings_seen == 3
    assert load_state(settings.landing_dir, "hn").cursor["thread_id"] == "45100000"


def test_unknown_kind_and_file_source_never_raise(settings, tmp_path: Path):
    bad = runner.fetch_to_landing(SourceSpec(kind="nope", name="nope"), settings, RUN_DATE)
    assert bad.status == "failed" and "unknown source kind 'nope'" in bad.error
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(payload("file/postings.jsonl"))
    spec = SourceSpec(kind="file", name="dump", params={"path": str(dump), "id_column": "id"})
    record = runner.fetch_to_landing(spec, settings, RUN_DATE)
    assert record.status == "ok" and record.postings_seen == 2
    landed = next(iter_landing(settings.landing_dir, "file"))
    assert landed.meta.options == {"id_column": "id"} and landed.path.suffix == ".jsonl"


def test_mock_transport_is_accepted(settings):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=payload("ashby/board.json"))

    records = runner.fetch_all(
        [
            SourceSpec(kind="ashby", name="ashby:x", board="x"),
            SourceSpec(kind="ashby", name="off", board="y", enabled=False),
        ],
        settings,
        RUN_DATE,
        transport=httpx.MockTransport(handler),
    )
    assert [(r.source_name, r.status, r.postings_seen) for r in records] == [("ashby:x", "ok", 2)]


def test_corrupt_state_is_ignored(settings):
    path = state_path(settings.landing_dir, "x")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert load_state(settings.landing_dir, "x").cursor == {}
    state = load_state(settings.landing_dir, "x")
    state.cursor["k"] = 1
    save_state(settings.landing_dir, state)
    assert load_state(settings.landing_dir, "x").cursor == {"k": 1}


def test_fixed_clock_makes_records_reproducible(settings):
    from datetime import UTC, datetime

    stamp = datetime(2026, 10, 20, 6, 0, tzinfo=UTC)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=payload("remoteok/api.json")))
    spec = SourceSpec(kind="remoteok", name="remoteok")
    first = runner.fetch_to_landing(spec, settings, RUN_DATE, transport=transport, clock=lambda: stamp)
    second = runner.fetch_to_landing(spec, settings, RUN_DATE, transport=transport, clock=lambda: stamp)
    assert first == second and first.started_at == stamp.isoformat() and first.postings_seen == 2
    landed = next(iter_landing(settings.landing_dir, "remoteok"))
    assert landed.meta.fetched_at == stamp.isoformat() and landed.meta.complete_listing


def test_flags_come_from_the_state_history_not_from_listing_every_run_record(settings, monkeypatch):
    spec = gh("examplelabs")
    with ten_postings_then_none("examplelabs"):
        runner.fetch_to_landing(spec, settings, RUN_DATE)
        history = load_state(settings.landing_dir, spec.name).history
        assert history is not None and [(h["status"], h["postings_seen"]) for h in history] == [("ok", 10)]

        def no_listing(*_args, **_kwargs):
            raise AssertionError("run records listed although the state holds the history")

        monkeypatch.setattr(runner, "read_run_records", no_listing)
        after = runner.fetch_to_landing(spec, settings, RUN_DATE)
    assert after.status == "empty" and after.flagged and "0 postings now, but 10" in after.error
    assert [h["postings_seen"] for h in load_state(settings.landing_dir, spec.name).history] == [10, 0]


def test_a_state_without_history_reads_the_run_records_once(settings):
    spec = gh("examplelabs")
    with ten_postings_then_none("examplelabs"):
        runner.fetch_to_landing(spec, settings, RUN_DATE)
        # a state saved before the history was kept: the run record on disk still flags the next fetch
        path = state_path(settings.landing_dir, spec.name)
        old = json.loads(path.read_text())
        del old["history"]
        path.write_text(json.dumps(old))
        after = runner.fetch_to_landing(spec, settings, RUN_DATE)
    assert after.flagged and "0 postings now, but 10" in after.error
    assert len(load_state(settings.landing_dir, spec.name).history) == 2


@pytest.mark.parametrize("empty_runs", [1, 3, 40])
def test_the_kept_history_flags_as_every_run_record_would(empty_runs):
    import random

    rng = random.Random(empty_runs)
    full: list[dict] = []
    kept: list[dict] = []
    for n in range(400):
        status = rng.choices(["ok", "empty", "failed", "not_modified"], weights=[5, 3, 1, 1])[0]
        if n > 200 and n % 50 < 45:
            status = "empty"  # long empty streaks, longer than the kept fetches
        seen = {"ok": rng.choice([0, 3, 60, 400]), "empty": 0}.get(status)
        fields = dict(run_id=str(n), source_name="s", kind="greenhouse", board="b", status=status)
        from_records, from_state = (
            runner.SourceRunRecord(**fields, started_at=f"2026-01-01T{n:05d}", postings_seen=seen)
            for _ in "ab"
        )
        if status in ("ok", "empty"):
            runner._flag(from_records, full, empty_runs)
            runner._flag(from_state, kept, empty_runs)
            assert from_state.flagged == from_records.flagged, n
            streak = re.search(r"last (\d+) fetches", from_records.error or "")
            if streak and int(streak.group(1)) > max(empty_runs, runner.HISTORY_FETCHES):
                # a streak longer than the kept fetches is counted at least that far, never further
                counted = re.search(r"last (\d+) fetches", from_state.error or "")
                assert counted and max(empty_runs, runner.HISTORY_FETCHES) < int(counted.group(1)) <= int(
                    streak.group(1)
                )
            else:
                assert from_state.error == from_records.error, n
        full.append(from_records.to_dict())
        kept = runner.kept_history(kept, from_state, empty_runs)
    assert len(kept) <= max(empty_runs, runner.HISTORY_FETCHES) + runner.HISTORY_RECORDS
