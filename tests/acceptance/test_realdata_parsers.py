"""Every real payload in ../shared/realdata parses: counts match the payload, ids/titles/companies are
present, pay is read where stated, descriptions are clean text. Files are read in place, never copied."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.base import ParseContext, ParseResult
from ingest.html import text_rendering_skipped
from ingest.models import Posting
from ingest.sources import get

pytestmark = pytest.mark.acceptance

FETCHED_AT = datetime(2025, 12, 20, tzinfo=UTC)
DIRTY_RE = re.compile(
    r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[\s>/]|&lt;|&gt;|&amp;|&nbsp;|&#\d+;|â€|Ã©|\u00e2\u0080|\u00c2\u00a0"
)


def run(kind: str, path: Path, **ctx: object) -> ParseResult:
    context = ParseContext(fetched_at=FETCHED_AT, raw_ref=str(path), **ctx)  # type: ignore[arg-type]
    return get(kind).parse(path.read_bytes(), context)


def files(root: Path, pattern: str) -> list[Path]:
    found = sorted(root.glob(pattern))
    assert found, f"no real payloads match {pattern} under {root}"
    return found


def assert_clean(postings: list[Posting]) -> None:
    for p in postings:
        assert p.source_id and p.title and p.title.strip() == p.title, p
        assert p.raw_ref and "#" in p.raw_ref and p.fetched_at == FETCHED_AT
        assert p.posted_at is None or p.posted_at.tzinfo is not None
        if p.description:
            assert not DIRTY_RE.search(p.description), (p.source_id, DIRTY_RE.search(p.description))
    ids = [p.source_id for p in postings]
    assert len(ids) == len(set(ids)), "duplicate source ids within one payload"


@pytest.fixture(scope="module")
def ats(realdata: Path) -> Path:
    return realdata / "srajob2_ats"


def test_greenhouse_listings(ats: Path):
    for path in files(ats, "greenhouse_api/listings/*.json"):
        data = json.loads(path.read_bytes())
        result = run("greenhouse", path, board=path.stem.removesuffix("_jobs"))
        assert not result.errors, path
        assert len(result.postings) == len(data["jobs"]) == data["meta"]["total"], path
        assert_clean(result.postings)
        assert all(p.company and p.url and p.posted_at and p.description is None for p in result.postings)
        assert {p.source_id for p in result.postings} == {str(j["id"]) for j in data["jobs"]}


def test_greenhouse_single_jobs(ats: Path):
    for path in files(ats, "greenhouse_api/jobs/*.json"):
        result = run("greenhouse", path)
        assert len(result.postings) == 1 and not result.errors, path
        assert_clean(result.postings)
        posting = result.postings[0]
        assert posting.company and posting.description and len(posting.description) > 200
        assert posting.pay_min is None  # no pay_input_ranges in these captures: pay stays in the text
    trade_desk = run("greenhouse", ats / "greenhouse_api/jobs/thetradedesk_5001698007.json").postings[0]
    assert "$212,202" in trade_desk.description and "$274,700" in trade_desk.description
    together = run("greenhouse", ats / "greenhouse_api/jobs/togetherai_4967737007.json").postings[0]
    assert "$90k" in together.description


def test_ashby_boards(ats: Path):
    for path in files(ats, "ashby_api/*.json"):
        data = json.loads(path.read_bytes())
        board = path.stem.split("_")[1]
        result = run("ashby", path, board=board, company=board.title())
        assert not result.errors and len(result.postings) == len(data["jobs"]), path
        assert_clean(result.postings)
        assert all(p.company == board.title() and p.posted_at and p.description for p in result.postings)
        pay_re = re.compile(r"\$\d{2,3},\d{3}")
        stated = sum(bool(pay_re.search(j.get("descriptionPlain") or "")) for j in data["jobs"])
        kept = sum(bool(pay_re.search(p.description or "")) for p in result.postings)
        assert kept == stated, path
    ramp_path = ats / "ashby_api/ashby_ramp_posting_api.json"
    ramp = run("ashby", ramp_path)
    range_re = re.compile(r"\$[\d,]{5,}\s*(?:[-\u2013\u2014]|to)\s*\$[\d,]{5,}")
    in_payload = sum(
        bool(range_re.search(j["descriptionPlain"])) for j in json.loads(ramp_path.read_bytes())["jobs"]
    )
    in_text = sum(bool(range_re.search(p.description or "")) for p in ramp.postings)
    assert len(ramp.postings) == 127 and in_text == in_payload >= 24  # pay ranges stay in the description


def test_workday_job_details(ats: Path):
    for path in files(ats, "workday_cxs_api/*.json"):
        data = json.loads(path.read_bytes())
        result = run("workday", path)
        assert len(result.postings) == 1 and not result.errors, path
        assert_clean(result.postings)
        posting = result.postings[0]
        info = data["jobPostingInfo"]
        assert posting.title == info["title"] and posting.company == data["hiringOrganization"]["name"]
        assert posting.extra["job_req_id"] == info["jobReqId"] and posting.source_id.endswith(
            info["jobReqId"]
        )
        assert posting.posted_at is not None and posting.posted_at_precision in ("day", "approx")
        assert posting.description and len(posting.description) > 500


def test_docusign_jibe(ats: Path):
    total = 0
    for path in files(ats, "docusign_jibe_api/*.json"):
        data = json.loads(path.read_bytes())
        result = run("jibe", path, company="Docusign")
        assert not result.errors and len(result.postings) == len(data["jobs"]), path
        assert_clean(result.postings)
        total = data["totalCount"]
    assert total == 33


def test_remoteok_api(realdata: Path):
    path = realdata / "remoteok_api/remoteok_api_2026-03-17.json"
    data = json.loads(path.read_bytes())
    jobs = data[1:]
    result = run("remoteok", path)
    assert len(result.postings) + len(result.errors) == len(jobs) == 97
    assert all(
        e.reason == "job without id or position" for e in result.errors
    )  # real jobs with an empty title
    assert_clean(result.postings)
    assert all(p.company and p.url and p.remote for p in result.postings)
    paid = [p for p in result.postings if p.pay_min or p.pay_max]
    assert len(paid) == 18 == sum(1 for j in jobs if j.get("salary_min") or j.get("salary_max"))
    # RemoteOK states no period, and the real feed mixes yearly and hourly-looking values:
    assert all(p.pay_currency == "USD" and p.pay_period is None for p in paid)
    assert any(p.pay_max is not None and p.pay_max < 300 for p in paid)
    raw = path.read_text()
    assert "\\u00e2\\u0080\\u0099" in raw  # the capture has double-encoded UTF-8 ...
    assert not any("\u00e2\u0080" in (p.description or "") for p in result.postings)  # ... repaired here


def test_small_ats_samples(realdata: Path):
    base = realdata / "ats_misc_trimmed"
    lever = run("lever", base / "lever_postings.json")
    assert len(lever.postings) == len(json.loads((base / "lever_postings.json").read_bytes())) == 1
    smart = run("smartrecruiters", base / "smartrecruiters_postings.json")
    assert (
        len(smart.postings)
        == json.loads((base / "smartrecruiters_postings.json").read_bytes())["totalFound"]
        == 3
    )
    pinpoint = run("pinpoint", base / "pinpoint_postings.json")
    assert len(pinpoint.postings) == 4
    assert [p.pay_text for p in pinpoint.postings].count("£70,000 - £105,000 / year") == 3
    assert pinpoint.postings[3].pay_text == "£105,000 / year"
    for result in (lever, smart, pinpoint):
        assert not result.errors
        assert_clean(result.postings)
        assert all(p.company for p in result.postings)


def test_jsonld_pages(ats: Path):
    for path in files(ats, "html_jsonld/*.html"):
        result = run("jsonld", path)
        assert len(result.postings) == 1 and not result.errors, path
        assert_clean(result.postings)
        posting = result.postings[0]
        assert posting.company and posting.description and posting.posted_at, path
    lam = run("jsonld", ats / "html_jsonld/ashby_lambda_job_detail.html").postings[0]
    assert (lam.pay_min, lam.pay_max, lam.pay_currency, lam.pay_period) == (188000.0, 282000.0, "USD", "year")
    ramp = run("jsonld", ats / "html_jsonld/ashby_ramp_caf900ec.html").postings[0]
    assert (ramp.pay_min, ramp.pay_max) == (
        92100.0,
        165450.0,
    ) and ramp.source_id == "caf900ec-0107-436b-88bf-2bc24174e6b9"
    github = run("jsonld", ats / "html_jsonld/github_careers_4648.html").postings[0]
    assert (
        github.pay_min is None and github.location_text == "Australia"
    )  # 0 salary and UNAVAILABLE parts dropped
    palo = run("jsonld", ats / "html_jsonld/paloalto_sr_swe_tools_platforms.html").postings[0]
    assert palo.posted_at == datetime(2025, 8, 26, tzinfo=UTC) and palo.source_id == "JR-009347"


def test_pages_without_jobposting(ats: Path, realdata: Path):
    for path in [
        *files(ats, "html_no_jsonld/*.html"),
        realdata / "remoteok_api/linkedin_guest_jobs_search_fragment.html",
    ]:
        result = run("jsonld", path)
        assert result.postings == [] and result.errors == [] and "no schema.org JobPosting" in result.note, (
            path
        )


def test_html_search_pages(ats: Path):
    adobe = run("jsonld", ats / "html_search_pages/adobe_search_engineer_p1.html", company="Adobe")
    assert len(adobe.postings) == 10 and "296" in adobe.note and not adobe.errors
    assert_clean(adobe.postings)
    netflix = run("jsonld", ats / "html_search_pages/netflix_listing_engineer.html")
    assert len(netflix.postings) == 1 and netflix.postings[0].company == "Netflix"
    assert_clean(netflix.postings)
    assert "Netflix is one of the world's leading" in netflix.postings[0].description


def test_file_dumps(realdata: Path):
    """The ``file`` connector on real dumps: a JSON array (the largest real file) and a CSV."""
    simplify = realdata / "simplify_internships/listings_summer2025_repo_2024-10-24.json"
    options = {
        "format": "json",
        "source_name": "simplify",
        "id_column": "id",
        "mapping": {
            "title": "title",
            "company": "company_name",
            "location_text": "locations",
            "posted_at": "date_posted",
        },
    }
    result = run("file", simplify, options=options)
    assert len(result.postings) == len(json.loads(simplify.read_bytes())) == 6000 and not result.errors
    assert all(p.source == "simplify" and p.company and p.posted_at for p in result.postings)
    assert result.postings[0].location_text == "McLean, VA; Plano, TX"
    glassdoor = realdata / "glassdoor_ds_2020/glassdoor_jobs.csv"
    mapping = {
        "title": "Job Title",
        "company": "Company Name",
        "location_text": "Location",
        "description": "Job Description",
        "pay_text": "Salary Estimate",
    }
    options = {"format": "csv", "source_name": "glassdoor", "mapping": mapping, "null_values": ["-1"]}
    result = run("file", glassdoor, options=options)
    assert len(result.postings) == 956 and not result.errors
    assert sum(p.pay_text is not None for p in result.postings) == 742
    assert_clean(result.postings)


def test_a_fetch_counts_the_postings_the_load_finds_without_rendering(ats: Path, realdata: Path):
    """A fetch counts each payload's postings with HTML rendering skipped (``COUNTS_WITHOUT_TEXT``); on
    every real payload of such a connector it finds the postings (ids, titles) and errors the load finds."""
    cases = [
        *(("greenhouse", p, {}) for p in files(ats, "greenhouse_api/*/*.json")),
        *(("ashby", p, {}) for p in files(ats, "ashby_api/*.json")),
        *(("workday", p, {}) for p in files(ats, "workday_cxs_api/*.json")),
        *(("jibe", p, {"company": "Docusign"}) for p in files(ats, "docusign_jibe_api/*.json")),
        *(("jsonld", p, {}) for p in files(ats, "html_*/*.html")),
        ("remoteok", realdata / "remoteok_api/remoteok_api_2026-03-17.json", {}),
        *(
            (kind, realdata / f"ats_misc_trimmed/{kind}_postings.json", {})
            for kind in ("lever", "smartrecruiters", "pinpoint")
        ),
        (
            "file",
            realdata / "glassdoor_ds_2020/glassdoor_jobs.csv",
            {
                "options": {
                    "format": "csv",
                    "source_name": "glassdoor",
                    "mapping": {"title": "Job Title", "description": "Job Description"},
                }
            },
        ),
    ]
    for kind, path, ctx in cases:
        assert get(kind).COUNTS_WITHOUT_TEXT, kind
        rendered = run(kind, path, **ctx)
        with text_rendering_skipped():
            unrendered = run(kind, path, **ctx)
        assert [(p.source_id, p.title) for p in unrendered.postings] == [
            (p.source_id, p.title) for p in rendered.postings
        ], path
        assert [(e.pointer, e.reason) for e in unrendered.errors] == [
            (e.pointer, e.reason) for e in rendered.errors
        ]
    assert len(cases) > 20


def test_largest_payload_parses_the_same_twice(ats: Path):
    """Parsing is a pure function of the payload, on the largest one too (counts and cleanliness are
    checked per file above; parse speed is measured by ``make bench``, not asserted in tests)."""
    largest = max(files(ats, "ashby_api/*.json"), key=lambda p: p.stat().st_size)
    payload = largest.read_bytes()
    ctx = ParseContext(fetched_at=FETCHED_AT, raw_ref=str(largest))
    first, again = get("ashby").parse(payload, ctx), get("ashby").parse(payload, ctx)
    assert first.postings and not first.errors
    assert again.postings == first.postings
