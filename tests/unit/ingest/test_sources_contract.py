"""The connector contract (ingest.base.Connector): every registered source satisfies it, and the runner
hands a connector its saved cursor as an argument and saves what ``next_cursor`` returns."""

from __future__ import annotations

import inspect
import json
import pkgutil
import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

import ingest.sources
from ingest import base, runner
from ingest.base import Connector, Cursor, Fetched, ParseContext, ParseResult, SourceSpec
from ingest.html import text_rendering_skipped
from ingest.http import HttpClient
from ingest.landing import iter_landing
from ingest.sources import CONNECTORS, REGISTRY, get
from ingest.sources._common import build, fetched
from ingest.state import load_state
from jobtrends.settings import load_settings

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
RUN_DATE = date(2026, 10, 20)
HOOKS = ("fetch", "parse", "parse_options", "next_cursor")


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(tmp_path, http_rate_per_host_s=0.0, http_max_retries=0).fetch_settings()


def _protocol_params(name: str) -> list[tuple[str, Any, Any]]:
    params = list(inspect.signature(getattr(Connector, name)).parameters.values())[1:]  # without self
    return [(p.name, p.kind, p.default) for p in params]


# --- every registered source --------------------------------------------------------------------------


def test_every_connector_module_is_registered_once():
    modules = {m.name for m in pkgutil.iter_modules(ingest.sources.__path__) if not m.name.startswith("_")}
    assert sorted(c.__name__.rsplit(".", 1)[-1] for c in CONNECTORS) == sorted(modules)
    assert len(REGISTRY) == len(CONNECTORS)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_registered_source_satisfies_the_protocol(kind: str):
    connector = get(kind)
    assert isinstance(connector, Connector)
    assert kind == connector.KIND
    assert isinstance(connector.NEEDS_BOARD, bool) and isinstance(connector.REFERENCE_DATA, bool)
    assert isinstance(connector.COUNTS_WITHOUT_TEXT, bool)
    if connector.BOARD_PATTERN is not None:
        re.compile(connector.BOARD_PATTERN)
        assert isinstance(connector.BOARD_RULE, str) and connector.BOARD_RULE
    else:
        assert connector.BOARD_RULE is None
    for hook in HOOKS:
        implementation = inspect.signature(getattr(connector, hook)).parameters.values()
        assert [(p.name, p.kind, p.default) for p in implementation] == _protocol_params(hook), hook


#: How the tests of counting without text parse a payload.
PARSE_CONTEXT = ParseContext(fetched_at=datetime(2026, 10, 20, tzinfo=UTC), raw_ref="fixture")


def _parse_all(kind: str) -> list[tuple[str, ParseResult]]:
    paths = sorted((PAYLOADS / kind).glob("*"))
    return [(p.name, get(kind).parse(p.read_bytes(), PARSE_CONTEXT)) for p in paths]


@pytest.mark.parametrize("kind", sorted(k for k in REGISTRY if get(k).COUNTS_WITHOUT_TEXT and k != "file"))
def test_a_connector_that_counts_without_text_finds_the_same_postings_unrendered(kind: str):
    """What a fetch counts with rendering skipped is what the load finds: the same postings (ids,
    titles) and the same errors, over every fixture payload of the kind; only the texts may differ.
    (``file`` needs a column mapping: tests/unit/ingest/test_sources_file.py.)"""

    def found(results: list[tuple[str, ParseResult]]) -> list[tuple[str, Any, Any]]:
        return [
            (name, [(p.source_id, p.title) for p in r.postings], [(e.pointer, e.reason) for e in r.errors])
            for name, r in results
        ]

    rendered = _parse_all(kind)
    with text_rendering_skipped():
        unrendered = _parse_all(kind)
    assert found(unrendered) == found(rendered)
    assert kind == "fx" or any(r.postings for _, r in rendered), f"no fixture payload of {kind} has postings"


def test_hn_needs_the_rendered_text_to_count():
    """An HN comment is a posting when the first line of its rendered text is a ``Company | Role``
    header; HN separates paragraphs with ``<p>``, so unrendered the whole comment is one line and a
    pipe in a later paragraph makes a header: hn counts with the text rendered."""
    assert not get("hn").COUNTS_WITHOUT_TEXT
    comment = {"id": 7, "created_at_i": 1790870000, "text": "We are growing!<p>Acme | ML Engineer | Remote"}
    payload = json.dumps({"id": 45100000, "children": [comment]}).encode()
    rendered = get("hn").parse(payload, PARSE_CONTEXT)
    with text_rendering_skipped():
        unrendered = get("hn").parse(payload, PARSE_CONTEXT)
    assert len(rendered.postings) != len(unrendered.postings)


def test_a_module_missing_a_hook_is_not_a_connector():
    partial = SimpleNamespace(
        KIND="x", NEEDS_BOARD=False, BOARD_PATTERN=None, BOARD_RULE=None, REFERENCE_DATA=False,
        COUNTS_WITHOUT_TEXT=False,
        fetch=lambda client, spec, cursor=None: [], parse=lambda payload, ctx: ParseResult(),
        parse_options=base.no_parse_options,
    )  # fmt: skip
    assert not isinstance(partial, Connector)
    partial.next_cursor = base.keep_cursor
    assert isinstance(partial, Connector)


def test_default_hooks_store_no_options_and_keep_the_cursor():
    spec = SourceSpec(kind="greenhouse", name="g", board="b", params={"format": "csv"})
    assert base.no_parse_options(spec) is None
    cursor = {"after": 3}
    assert base.keep_cursor([], cursor) == {"after": 3}


def test_board_rules_come_from_the_connector():
    from ingest.config import ConfigError, parse_sources

    with pytest.raises(ConfigError, match="needs a board"):
        parse_sources({"sources": [{"kind": "greenhouse"}]})
    with pytest.raises(ConfigError, match=r"no dots, slashes or spaces"):
        parse_sources({"sources": [{"kind": "greenhouse", "board": "a/b"}]})
    assert [s.name for s in parse_sources({"sources": [{"kind": "remotive"}]})] == ["remotive"]


# --- the cursor is an argument ------------------------------------------------------------------------


class PagingConnector:
    """A connector over an in-process API that lists items by id: each run asks for the ids after the
    cursor, and the cursor advances to the largest id landed."""

    KIND = "paging"
    NEEDS_BOARD = False
    BOARD_PATTERN = None
    BOARD_RULE = None
    REFERENCE_DATA = False
    COUNTS_WITHOUT_TEXT = True
    URL = "https://api.paging.example/items"

    def __init__(self) -> None:
        self.cursors: list[Any] = []
        self.specs: list[SourceSpec] = []

    def fetch(self, client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
        self.cursors.append(None if cursor is None else dict(cursor))
        self.specs.append(spec)
        after = int((cursor or {}).get("after", 0))
        return [fetched(client.get(self.URL, params={"after": after}, expect="json"))]

    def parse(self, payload: bytes, ctx: ParseContext) -> ParseResult:
        items = json.loads(payload)["items"]
        return ParseResult(
            postings=[
                build(ctx, f"/items/{i}", source=self.KIND, source_id=str(it["id"]), title=it["title"])
                for i, it in enumerate(items)
            ]
        )

    def parse_options(self, spec: SourceSpec) -> dict[str, Any] | None:
        return None

    def next_cursor(self, items: list[Fetched], cursor: Cursor) -> Cursor:
        ids = [it["id"] for item in items for it in json.loads(item.payload)["items"]]
        return {**cursor, "after": max(ids)} if ids else cursor


def _paging_api(request: httpx.Request) -> httpx.Response:
    after = int(request.url.params["after"])
    items = [{"id": n, "title": f"Engineer {n}"} for n in range(after + 1, min(after + 2, 5) + 1)]
    return httpx.Response(200, json={"items": items})


def test_runner_passes_the_saved_cursor_as_an_argument(settings, monkeypatch):
    connector = PagingConnector()
    assert isinstance(connector, Connector)
    monkeypatch.setitem(REGISTRY, connector.KIND, connector)
    spec = SourceSpec(kind="paging", name="paging:all", params={"page": "x"})
    transport = httpx.MockTransport(_paging_api)
    seen = [
        runner.fetch_to_landing(spec, settings, RUN_DATE, transport=transport).postings_seen for _ in range(3)
    ]
    assert connector.cursors == [{}, {"after": 2}, {"after": 4}]
    assert seen == [2, 2, 1]
    assert all(s.params == {"page": "x"} for s in connector.specs), "the cursor is not smuggled in params"
    assert load_state(settings.landing_dir, "paging:all").cursor == {"after": 5}
    assert len(list(iter_landing(settings.landing_dir, "paging"))) == 3


def test_cursor_does_not_advance_when_landing_fails(settings, monkeypatch):
    connector = PagingConnector()
    monkeypatch.setitem(REGISTRY, connector.KIND, connector)
    spec = SourceSpec(kind="paging", name="paging:all")
    transport = httpx.MockTransport(_paging_api)
    real_landing, disk_full = runner.write_landing, [True]

    def landing(*args: Any, **kwargs: Any) -> Any:
        if disk_full[0]:
            raise OSError("disk full")
        return real_landing(*args, **kwargs)

    monkeypatch.setattr(runner, "write_landing", landing)
    record = runner.fetch_to_landing(spec, settings, RUN_DATE, transport=transport)
    assert record.status == "failed" and "disk full" in (record.error or "")
    disk_full[0] = False
    assert runner.fetch_to_landing(spec, settings, RUN_DATE, transport=transport).postings_seen == 2
    assert connector.cursors == [{}, {}]
    assert load_state(settings.landing_dir, "paging:all").cursor == {"after": 2}


def test_hn_second_run_skips_threads_older_than_its_cursor(settings):
    with respx.mock(assert_all_called=False) as router:
        router.get("https://hn.algolia.com/api/v1/search").mock(
            return_value=httpx.Response(200, content=(PAYLOADS / "hn" / "search.json").read_bytes())
        )
        october = router.get("https://hn.algolia.com/api/v1/items/45100000").mock(
            return_value=httpx.Response(200, content=(PAYLOADS / "hn" / "item.json").read_bytes())
        )
        september = router.get("https://hn.algolia.com/api/v1/items/44900000").mock(
            return_value=httpx.Response(500)
        )
        first = runner.fetch_to_landing(
            SourceSpec(kind="hn", name="hn", params={"months": 1}), settings, RUN_DATE
        )
        assert (
            first.status == "ok" and load_state(settings.landing_dir, "hn").cursor["thread_id"] == "45100000"
        )
        # two months asked: September would be fetched without the cursor saved by the first run
        second = runner.fetch_to_landing(
            SourceSpec(kind="hn", name="hn", params={"months": 2}), settings, RUN_DATE
        )
    assert second.status == "ok"
    assert (october.call_count, september.call_count) == (2, 0)
