"""Job-board connectors (RemoteOK, Remotive, Arbeitnow, USAJOBS, HN "Who is hiring?")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ingest.base import ParseContext, ParseResult, SourceSpec
from ingest.http import FetchError, HttpClient
from ingest.sources import get, hn
from jobtrends.settings import load_settings

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
FETCHED_AT = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def payload(relative: str) -> bytes:
    return (PAYLOADS / relative).read_bytes()


def parse(kind: str, relative: str, **ctx: Any) -> ParseResult:
    context = ParseContext(fetched_at=ctx.pop("fetched_at", FETCHED_AT), raw_ref=f"landing/{relative}", **ctx)
    return get(kind).parse(payload(relative), context)


def client(**kwargs: Any) -> HttpClient:
    return HttpClient(sleep=lambda _s: None, rate_per_host_s=0.0, **kwargs)


# --- RemoteOK -------------------------------------------------------------------------------------
def test_remoteok_skips_legal_notice_repairs_mojibake_and_zero_pay():
    result = parse("remoteok", "remoteok/api.json")
    assert [p.source_id for p in result.postings] == ["2000001", "2000002"] and not result.errors
    ml, support = result.postings
    # mojibake repaired; the repaired curly apostrophe is straightened (ftfy's uncurl_quotes), the dash kept
    assert ml.description == "We're hiring an engineer – fully remote & async."
    assert "â" not in ml.description and "\u0080" not in ml.description
    assert (ml.pay_min, ml.pay_max, ml.pay_currency, ml.pay_period) == (150000.0, 200000.0, "USD", None)
    assert ml.remote is True and ml.work_mode == "remote" and ml.raw_ref.endswith("#/1")
    assert support.pay_min is None and support.pay_text is None and support.location_text is None


# --- Remotive / Arbeitnow ---------------------------------------------------------------------------
def test_remotive_salary_is_text_only():
    posting = parse("remotive", "remotive/remote-jobs.json").postings[0]
    assert posting.source_id == "3000001" and posting.pay_text == "€70k - €90k" and posting.pay_min is None
    assert posting.location_text == "Europe" and posting.posted_at == datetime(
        2026, 10, 12, 9, 0, 11, tzinfo=UTC
    )


def test_arbeitnow_follows_next_links():
    with respx.mock() as router:
        router.get("https://www.arbeitnow.com/api/job-board-api", params={"page": "2"}).mock(
            return_value=httpx.Response(200, content=payload("arbeitnow/page2.json"))
        )
        router.get("https://www.arbeitnow.com/api/job-board-api").mock(
            return_value=httpx.Response(200, content=payload("arbeitnow/page1.json"))
        )
        with client() as c:
            items = get("arbeitnow").fetch(c, SourceSpec(kind="arbeitnow", name="a"))
    assert len(items) == 2
    posting = parse("arbeitnow", "arbeitnow/page2.json").postings[0]
    assert posting.source_id == "data-scientist-beispiel-ag-456" and posting.remote is True


# --- USAJOBS --------------------------------------------------------------------------------------
def test_usajobs_parse_pay_and_duties():
    posting = parse("usajobs", "usajobs/search.json").postings[0]
    assert (
        posting.source_id == "800100200" and posting.company == "Example Agency" and posting.country == "US"
    )
    assert (posting.pay_min, posting.pay_max, posting.pay_period, posting.pay_currency) == (
        120000.0,
        160000.0,
        "year",
        "USD",
    )
    assert posting.description == (
        "Lead AI adoption.\n\n- Evaluate models\n- Advise leadership\n\nExperience with machine learning systems."
    )
    assert posting.posted_at == datetime(2026, 10, 1, tzinfo=UTC)


def test_usajobs_missing_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("USAJOBS_API_KEY", raising=False)
    monkeypatch.delenv("USAJOBS_EMAIL", raising=False)
    with client(config=load_settings(tmp_path).http_config()) as c, pytest.raises(FetchError) as info:
        get("usajobs").fetch(c, SourceSpec(kind="usajobs", name="u"))
    assert info.value.kind == "config" and "USAJOBS_API_KEY and USAJOBS_EMAIL" in str(info.value)


def test_usajobs_sends_key_headers(tmp_path: Path):
    settings = load_settings(tmp_path, usajobs_api_key="k3y", usajobs_email="me@example.test")
    with respx.mock() as router:
        route = router.get(url__startswith="https://data.usajobs.gov/api/search").mock(
            return_value=httpx.Response(200, content=payload("usajobs/search.json"))
        )
        with client(config=settings.http_config()) as c:
            items = get("usajobs").fetch(c, SourceSpec(kind="usajobs", name="u"))
    headers = route.calls.last.request.headers
    assert (
        len(items) == 1
        and headers["authorization-key"] == "k3y"
        and headers["user-agent"] == "me@example.test"
    )


# --- Hacker News ----------------------------------------------------------------------------------
def test_hn_header_conventions():
    header = hn.parse_header(
        "Example Labs | Senior ML Engineer | San Francisco, CA | ONSITE | $180k-$220k | https://x.io"
    )
    assert header["company"] == "Example Labs" and header["roles"] == ["Senior ML Engineer"]
    assert header["location_text"] == "San Francisco, CA" and header["work_mode"] == "onsite"
    assert header["pay_text"] == "$180k-$220k" and header["url"] == "https://x.io"
    assert hn.split_roles("Senior Engineer, Backend") == ["Senior Engineer, Backend"]
    assert hn.split_roles("Roles: Backend Engineer, Robotics Engineer") == [
        "Backend Engineer",
        "Robotics Engineer",
    ]
    assert hn.parse_header("Just a comment without pipes") is None


def test_hn_thread_comments_become_postings():
    result = parse("hn", "hn/item.json")
    ids = [p.source_id for p in result.postings]
    assert ids == ["45100010", "45100020-1", "45100020-2"]
    first = result.postings[0]
    assert (
        first.title == "Senior ML Engineer"
        and first.company == "Example Labs"
        and first.pay_text == "$180k-$220k + equity"
    )
    assert first.url == "https://news.ycombinator.com/item?id=45100010" and first.raw_ref.endswith(
        "#/children/0"
    )
    assert first.description.startswith("Example Labs | Senior ML Engineer") and "phones" in first.description
    robotics = result.postings[2]
    assert robotics.company == "Acme Robotics (YC W24)" and robotics.title == "Robotics Engineer"
    assert (
        robotics.remote is True
        and robotics.location_text == "REMOTE (US)"
        and robotics.employment_type == "Full-time"
    )
    assert "1 top-level comments without" in result.note and "1 deleted" in result.note


def test_hn_fetch_latest_thread_and_cursor():
    with respx.mock() as router:
        router.get("https://hn.algolia.com/api/v1/search").mock(
            return_value=httpx.Response(200, content=payload("hn/search.json"))
        )
        item = router.get("https://hn.algolia.com/api/v1/items/45100000").mock(
            return_value=httpx.Response(200, content=payload("hn/item.json"))
        )
        with client() as c:
            # a cursor at the October thread skips the older September one
            spec = SourceSpec(kind="hn", name="hn", params={"months": 2})
            items = get("hn").fetch(c, spec, {"thread_created_at": 1790866800})
            assert item.call_count == 1 and len(items) == 1
    cursor = hn.next_cursor(items, {})
    assert cursor == {"thread_id": "45100000", "thread_created_at": 1790866800, "last_comment_at": 1790868600}
