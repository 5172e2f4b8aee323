"""Ashby Posting API: ``api.ashbyhq.com/posting-api/job-board/{board}?includeCompensation=true``."""

from __future__ import annotations

from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import HttpClient
from ingest.models import Posting
from ingest.sources._common import (
    as_id,
    build,
    fetched,
    number,
    obj,
    parse_datetime,
    parse_job_list,
    period_from,
    require_board,
    slug_from_url,
    text,
)

KIND = "ashby"
NEEDS_BOARD = True
BOARD_PATTERN = r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
"""A legal board name (checked when the sources file is loaded; it goes into the API URL)."""
BOARD_RULE = "letters, digits, '.', '-' and '_' (a dot is legal, e.g. mistral.ai); no slashes or spaces"
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://api.ashbyhq.com/posting-api/job-board/{board}"
_COUNTRY_ALPHA3 = {"USA": "US", "GBR": "GB", "CAN": "CA", "DEU": "DE", "FRA": "FR", "IRL": "IE", "AUS": "AU"}


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    """The whole job board with compensation, one conditional request (a complete listing)."""
    board = require_board(spec)
    resp = client.get(
        API.format(board=board), params={"includeCompensation": "true"}, conditional=True, expect="json"
    )
    return [fetched(resp, complete_listing=True)]


def _salary(job: dict[str, Any]) -> dict[str, Any]:
    comp = obj(job.get("compensation"))
    components = [c for c in comp.get("summaryComponents") or [] if isinstance(c, dict)]
    for tier in comp.get("compensationTiers") or []:
        if isinstance(tier, dict):
            components += [c for c in tier.get("components") or [] if isinstance(c, dict)]
    salary = next((c for c in components if str(c.get("compensationType", "")).lower() == "salary"), None)
    pay_text = text(comp.get("scrapeableCompensationSalarySummary")) or text(
        comp.get("compensationTierSummary")
    )
    if salary is None:
        return {"pay_text": pay_text} if pay_text else {}
    lo, hi = number(salary.get("minValue")), number(salary.get("maxValue"))
    return {
        "pay_min": lo,
        "pay_max": hi,
        "pay_currency": text(salary.get("currencyCode")),
        "pay_period": period_from(salary.get("interval")),
        "pay_text": pay_text or text(salary.get("summary")),
    }


def _country(job: dict[str, Any]) -> str | None:
    address = (
        (job.get("address") or {}).get("postalAddress") if isinstance(job.get("address"), dict) else None
    )
    value = text((address or {}).get("addressCountry"))
    if not value:
        return None
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return _COUNTRY_ALPHA3.get(value.upper())


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    posted_at, precision = parse_datetime(job.get("publishedAt"))
    workplace = text(job.get("workplaceType"))
    work_mode = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite"}.get((workplace or "").lower())
    is_remote = job.get("isRemote") if isinstance(job.get("isRemote"), bool) else None
    secondary = [
        loc.get("location")
        for loc in job.get("secondaryLocations") or []
        if isinstance(loc, dict) and loc.get("location")
    ]
    board = ctx.board or slug_from_url(job.get("jobUrl"), "ashbyhq.com")
    return build(
        ctx,
        pointer,
        board=board,
        company=ctx.company or board,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("title")) or "",
        url=text(job.get("jobUrl")),
        location_text=clean_line(job.get("location")),
        country=_country(job),
        remote=is_remote,
        work_mode=work_mode
        or ("remote" if is_remote and not secondary and not job.get("location") else None),
        employment_type=text(job.get("employmentType")),
        description=html_to_text(job.get("descriptionHtml")) or html_to_text(job.get("descriptionPlain")),
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "department": text(job.get("department")),
                "team": text(job.get("team")),
                "secondary_locations": secondary,
                "is_listed": job.get("isListed"),
                "apply_url": text(job.get("applyUrl")),
            }.items()
            if v is not None and v != []
        },
        **_salary(job),
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    return parse_job_list(
        payload,
        ctx,
        key="jobs",
        posting=_posting,
        not_a_feed="not an Ashby job board (no 'jobs' list)",
        bad_record="job without id or title",
        empty_note="board lists no jobs",
    )
