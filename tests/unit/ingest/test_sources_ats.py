"""ATS connectors (Greenhouse, Lever, Ashby, SmartRecruiters, Workable, Workday, Pinpoint, Jibe):
pure parsers over hand-made payloads shaped like the real APIs, and fetches replayed with respx."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import respx

from ingest.base import ParseContext, ParseResult, SourceSpec
from ingest.http import HttpClient
from ingest.sources import REGISTRY, get

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
FETCHED_AT = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def payload(relative: str) -> bytes:
    return (PAYLOADS / relative).read_bytes()


def parse(kind: str, relative: str, **ctx: Any) -> ParseResult:
    context = ParseContext(fetched_at=ctx.pop("fetched_at", FETCHED_AT), raw_ref=f"landing/{relative}", **ctx)
    return get(kind).parse(payload(relative), context)


def client() -> HttpClient:
    return HttpClient(sleep=lambda _s: None, rate_per_host_s=0.0)


def test_registry_modules_follow_the_contract():
    for kind, module in REGISTRY.items():
        assert kind == module.KIND
        assert callable(module.parse) and callable(module.fetch)


# --- Greenhouse -----------------------------------------------------------------------------------
def test_greenhouse_board_with_content():
    result = parse("greenhouse", "greenhouse/board_content.json", board="examplelabs")
    assert [p.source_id for p in result.postings] == ["4001001", "4001002"] and not result.errors
    first = result.postings[0]
    assert first.source == "greenhouse" and first.company == "Example Labs" and first.board == "examplelabs"
    assert (
        first.posted_at == datetime(2026, 9, 30, 16, 0, tzinfo=UTC) and first.posted_at_precision == "second"
    )
    assert first.description == (
        "About the role\n\nYou will build fast & reliable model serving.\n- PyTorch\n- CUDA\n\nPay: $180,000 - $240,000"
    )
    assert first.pay_min is None and "$180,000 - $240,000" in first.description  # pay stays in the text
    assert first.employment_type == "Full-time" and first.extra["departments"] == ["Research"]
    assert first.raw_ref == "landing/greenhouse/board_content.json#/jobs/0" and first.fetched_at == FETCHED_AT


def test_greenhouse_listing_without_content_and_single_job_with_pay_ranges():
    listing = parse("greenhouse", "greenhouse/board_listing.json")
    assert len(listing.postings) == 1 and listing.postings[0].description is None
    job = parse("greenhouse", "greenhouse/job_pay.json").postings[0]
    assert (job.pay_min, job.pay_max, job.pay_currency, job.pay_period) == (180000.0, 240000.0, "USD", None)
    assert job.pay_text == "SF Bay Area: 180,000-240,000 USD; Remote US: 160,000-210,000 USD"
    assert job.raw_ref.endswith("#")


def test_greenhouse_bad_records_are_errors_not_crashes():
    ctx = ParseContext(fetched_at=FETCHED_AT, raw_ref="x")
    result = get("greenhouse").parse(json.dumps({"jobs": [{"id": 1}, "junk"]}).encode(), ctx)
    assert not result.postings and [e.pointer for e in result.errors] == ["/jobs/0", "/jobs/1"]
    assert get("greenhouse").parse(b"<html>oops</html>", ctx).errors[0].reason.startswith("payload is HTML")


def test_greenhouse_fetch_is_one_conditional_complete_listing():
    with respx.mock() as router:
        route = router.get(
            "https://boards-api.greenhouse.io/v1/boards/examplelabs/jobs", params={"content": "true"}
        ).mock(
            return_value=httpx.Response(
                200, content=payload("greenhouse/board_content.json"), headers={"ETag": "W/1"}
            )
        )
        with client() as c:
            items = get("greenhouse").fetch(c, SourceSpec(kind="greenhouse", name="gh", board="examplelabs"))
    assert route.called and len(items) == 1
    assert (
        items[0].complete_listing
        and items[0].http_status == 200
        and items[0].payload == payload("greenhouse/board_content.json")
    )


# --- Lever ----------------------------------------------------------------------------------------
def test_lever_salary_range_workplace_type_and_lists():
    result = parse("lever", "lever/postings.json")
    first, second = result.postings
    assert (first.pay_min, first.pay_max, first.pay_currency, first.pay_period) == (
        90000.0,
        130000.0,
        "EUR",
        "year",
    )
    assert first.pay_text == "Equity on top."
    assert first.work_mode == "hybrid" and first.country == "FR" and first.board == "examplelabs"
    assert "What you will do\n- Ship models\n- Write evals" in first.description
    assert first.posted_at == datetime.fromtimestamp(1790000000, UTC)
    assert second.work_mode == "remote" and second.remote is True and second.pay_min is None


def test_lever_fetch_uses_mode_json():
    with respx.mock() as router:
        route = router.get("https://api.lever.co/v0/postings/examplelabs", params={"mode": "json"}).mock(
            return_value=httpx.Response(200, content=payload("lever/postings.json"))
        )
        with client() as c:
            items = get("lever").fetch(c, SourceSpec(kind="lever", name="l", board="examplelabs"))
    assert route.called and items[0].complete_listing


# --- Ashby ----------------------------------------------------------------------------------------
def test_ashby_compensation_components():
    result = parse("ashby", "ashby/board.json", company="Example Labs")
    first, second = result.postings
    assert (first.pay_min, first.pay_max, first.pay_currency, first.pay_period) == (
        250000.0,
        350000.0,
        "USD",
        "year",
    )
    assert first.pay_text == "$250K - $350K" and first.work_mode == "hybrid" and first.country is None
    assert first.description == "Train large models.\n- JAX" and first.company == "Example Labs"
    assert second.remote is True and second.pay_min is None and second.extra["team"] == "Recruiting"


def test_ashby_fetch_asks_for_compensation():
    with respx.mock() as router:
        route = router.get(
            "https://api.ashbyhq.com/posting-api/job-board/examplelabs",
            params={"includeCompensation": "true"},
        ).mock(return_value=httpx.Response(200, content=payload("ashby/board.json")))
        with client() as c:
            get("ashby").fetch(c, SourceSpec(kind="ashby", name="a", board="examplelabs"))
    assert route.called


# --- SmartRecruiters ------------------------------------------------------------------------------
def test_smartrecruiters_listing_and_detail():
    listing = parse("smartrecruiters", "smartrecruiters/postings.json")
    nlp, support = listing.postings
    assert nlp.company == "Example Corp" and nlp.country == "DE" and nlp.work_mode == "hybrid"
    assert (
        nlp.employment_type == "Full-time"
        and nlp.url == "https://jobs.smartrecruiters.com/ExampleCorp/744000111111111"
    )
    assert support.remote is True and support.work_mode == "remote"
    detail = parse("smartrecruiters", "smartrecruiters/posting_detail.json").postings[0]
    assert detail.source_id == nlp.source_id
    assert "Job Description\n- Fine-tune LLMs" in detail.description


def test_smartrecruiters_fetch_pages_and_complete_flag():
    with respx.mock() as router:
        router.get("https://api.smartrecruiters.com/v1/companies/ExampleCorp/postings").mock(
            return_value=httpx.Response(200, content=payload("smartrecruiters/postings.json"))
        )
        with client() as c:
            items = get("smartrecruiters").fetch(
                c, SourceSpec(kind="smartrecruiters", name="s", board="ExampleCorp")
            )
    assert len(items) == 1 and items[0].complete_listing


# --- Workable -------------------------------------------------------------------------------------
def test_workable_widget():
    posting = parse("workable", "workable/account.json").postings[0]
    assert posting.source_id == "AB12CD34EF" and posting.company == "Example Robotics"
    assert posting.location_text == "Amsterdam, North Holland, Netherlands" and posting.country == "NL"
    assert posting.posted_at == datetime(2026, 10, 3, tzinfo=UTC) and posting.posted_at_precision == "day"


# --- Workday --------------------------------------------------------------------------------------
def test_workday_search_relative_dates():
    result = parse(
        "workday",
        "workday/search.json",
        url="https://examplecorp.wd5.myworkdayjobs.com/wday/cxs/examplecorp/External/jobs",
    )
    today, old = result.postings
    assert today.source_id == "R100200" and today.posted_at == datetime(2026, 10, 20, tzinfo=UTC)
    assert today.posted_at_precision == "day"
    assert (
        today.url
        == "https://examplecorp.wd5.myworkdayjobs.com/External/job/US-CA-San-Jose/Staff-Data-Scientist_R100200"
    )
    assert old.source_id == "R100201-1" and old.posted_at == datetime(2026, 9, 20, tzinfo=UTC)
    assert old.posted_at_precision == "approx"


def test_workday_detail():
    posting = parse("workday", "workday/job.json").postings[0]
    assert posting.source_id == "R100201-1" and posting.company == "Example Corp" and posting.country == "US"
    assert posting.posted_at == datetime(2026, 10, 19, tzinfo=UTC) and posting.posted_at_precision == "day"
    assert posting.description == "Own the roadmap for our AI assistant."
    assert (
        posting.location_text == "Remote - US; US - NY - New York"
        and posting.extra["job_req_id"] == "R100201"
    )


def test_workday_fetch_search_then_details():
    base = "https://examplecorp.wd5.myworkdayjobs.com/wday/cxs/examplecorp/External"
    with respx.mock() as router:
        search = router.post(f"{base}/jobs").mock(
            return_value=httpx.Response(200, content=payload("workday/search.json"))
        )
        detail = router.get(url__startswith=f"{base}/job/").mock(
            return_value=httpx.Response(200, content=payload("workday/job.json"))
        )
        spec = SourceSpec(
            kind="workday",
            name="w",
            params={"url": "https://examplecorp.wd5.myworkdayjobs.com/en-US/External"},
        )
        with client() as c:
            items = get("workday").fetch(c, spec)
    assert search.call_count == 1 and detail.call_count == 2 and len(items) == 2
    assert json.loads(search.calls.last.request.content)["limit"] == 20


# --- Pinpoint and Jibe ----------------------------------------------------------------------------
def test_pinpoint_structured_compensation():
    posting = parse("pinpoint", "pinpoint/postings.json").postings[0]
    assert (posting.pay_min, posting.pay_max, posting.pay_currency, posting.pay_period) == (
        80000.0,
        110000.0,
        "GBP",
        "year",
    )
    assert posting.pay_text == "£80,000 - £110,000 / year" and posting.work_mode == "hybrid"
    assert posting.board == "examplefund" and posting.extra["department"] == "Programmes"


def test_jibe_jobs_page():
    posting = parse("jibe", "jibe/jobs.json", company="Example").postings[0]
    assert posting.source_id == "30001" and posting.country == "US" and posting.work_mode == "hybrid"
    assert (
        posting.description
        == "Build the platform & tooling.\n\nOwn the feature store.\n\n5+ years of Python."
    )
    assert posting.url == "https://careers.example.com/jobs/30001?lang=en-us"
