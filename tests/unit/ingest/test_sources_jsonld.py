"""schema.org JobPosting JSON-LD pages (``@graph``, lists, MonetaryAmount) and pages without it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from ingest.base import ParseContext, SourceSpec
from ingest.http import FetchError, HttpClient
from ingest.sources import jsonld

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads" / "jsonld"
CTX = ParseContext(
    fetched_at=datetime(2026, 10, 20, tzinfo=UTC), raw_ref="landing/page.html", url="https://example.com/jobs"
)


def test_graph_and_list_blocks():
    result = jsonld.parse((PAYLOADS / "graph.html").read_bytes(), CTX)
    assert not result.errors and result.note is None
    prompt, safety = result.postings
    assert prompt.source == "jsonld" and prompt.source_id == "PE-42" and prompt.company == "Example Labs"
    assert (
        prompt.description == "Write prompts & evals." and prompt.employment_type == "FULL_TIME, CONTRACTOR"
    )
    assert (prompt.pay_min, prompt.pay_max, prompt.pay_currency, prompt.pay_period) == (
        65.0,
        65.0,
        "CAD",
        "hour",
    )
    assert prompt.location_text == "Toronto, ON, CA" and prompt.country == "CA"
    assert prompt.posted_at == datetime(2026, 10, 15, tzinfo=UTC) and prompt.posted_at_precision == "day"
    assert prompt.raw_ref == "landing/page.html#ld+json/0/@graph/1"
    assert safety.source_id == "https://example.com/jobs/ai-safety" and safety.remote is True
    assert (safety.pay_min, safety.pay_max, safety.pay_period) == (150000.0, 210000.0, "year")
    assert safety.company == "Example Labs" and safety.raw_ref.endswith("#ld+json/1/0")


def test_page_without_jobposting_gives_a_note():
    result = jsonld.parse((PAYLOADS / "no_jobposting.html").read_bytes(), CTX)
    assert result.postings == [] and result.errors == []
    assert "no schema.org JobPosting" in result.note


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"not html at all",
        b"<html><script type='application/ld+json'>{broken</script></html>",
        b"\xff\xfe\x00garbage",
    ],
)
def test_junk_pages_never_crash(page: bytes):
    result = jsonld.parse(page, CTX)
    assert result.postings == []
    assert result.note or result.errors


def test_zero_salary_is_no_pay():
    page = (
        b'<script type="application/ld+json">{"@type": "JobPosting", "title": "X", "baseSalary": {"@type": '
        b'"MonetaryAmount", "currency": "USD", "value": {"@type": "QuantitativeValue", "value": 0, "minValue": 0, '
        b'"maxValue": 0, "unitText": "YEAR"}}}</script>'
    )
    posting = jsonld.parse(page, CTX).postings[0]
    assert (
        posting.pay_min is None
        and posting.pay_text is None
        and posting.source_id == "https://example.com/jobs"
    )


def test_fetch_respects_robots_txt():
    spec = SourceSpec(kind="jsonld", name="j", params={"urls": ["https://careers.example.test/jobs/1"]})
    with respx.mock(assert_all_called=False) as router:
        router.get("https://careers.example.test/robots.txt").mock(
            return_value=httpx.Response(200, text="User-agent: *\nDisallow: /jobs/\n")
        )
        page = router.get("https://careers.example.test/jobs/1").mock(
            return_value=httpx.Response(200, text="<html/>")
        )
        with (
            HttpClient(sleep=lambda _s: None, rate_per_host_s=0) as client,
            pytest.raises(FetchError) as info,
        ):
            jsonld.fetch(client, spec)
    assert info.value.kind == "robots" and not page.called
