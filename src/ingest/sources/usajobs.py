"""USAJOBS Search API: ``https://data.usajobs.gov/api/search`` (needs ``USAJOBS_API_KEY`` and ``USAJOBS_EMAIL``)."""

from __future__ import annotations

import os
from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import FetchError, HttpClient
from ingest.models import PayPeriod, Posting
from ingest.sources._common import (
    add_posting,
    as_id,
    build,
    fetched,
    load_json,
    number,
    parse_datetime,
    pay_display,
    period_from,
    record_error,
    text,
)

KIND = "usajobs"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://data.usajobs.gov/api/search"
PAGE_SIZE = 500
DEFAULT_MAX_PAGES = 4
_RATE_CODES: dict[str, PayPeriod] = {"PA": "year", "PH": "hour", "PD": "day", "PW": "week", "PM": "month"}


def credentials(client: HttpClient) -> tuple[str, str]:
    """(api key, e-mail) from the client's credentials or the environment; a readable ``config`` error
    when missing."""
    given = client.config.credentials
    key = given.get("usajobs_api_key") or os.environ.get("USAJOBS_API_KEY")
    email = given.get("usajobs_email") or os.environ.get("USAJOBS_EMAIL")
    if not key or not email:
        missing = " and ".join(n for n, v in (("USAJOBS_API_KEY", key), ("USAJOBS_EMAIL", email)) if not v)
        raise FetchError(
            "config", f"USAJOBS needs {missing} (free key: https://developer.usajobs.gov/apirequest/)"
        )
    return key, email


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    key, email = credentials(client)
    headers = {"Authorization-Key": key, "User-Agent": email, "Host": "data.usajobs.gov"}
    query = {k: v for k, v in (spec.params.get("query") or {"Keyword": "artificial intelligence"}).items()}
    out: list[Fetched] = []
    for page in range(1, int(spec.params.get("max_pages", DEFAULT_MAX_PAGES)) + 1):
        resp, data = client.get_json(
            API, params={**query, "ResultsPerPage": PAGE_SIZE, "Page": page}, headers=headers
        )
        out.append(fetched(resp))
        result = data.get("SearchResult") if isinstance(data, dict) else None
        items = (result or {}).get("SearchResultItems") or []
        total = number((result or {}).get("SearchResultCountAll"))
        if not items or total is None or page * PAGE_SIZE >= total:
            break
    return out


def _pay(desc: dict[str, Any]) -> dict[str, Any]:
    rem = next((r for r in desc.get("PositionRemuneration") or [] if isinstance(r, dict)), None)
    if rem is None:
        return {}
    lo, hi = number(rem.get("MinimumRange")), number(rem.get("MaximumRange"))
    code = text(rem.get("RateIntervalCode"))
    period = _RATE_CODES.get((code or "").upper()) or period_from(rem.get("Description"))
    return {
        "pay_min": lo,
        "pay_max": hi,
        "pay_currency": "USD" if lo or hi else None,
        "pay_period": period if lo or hi else None,
        "pay_text": pay_display(lo, hi, "USD", period) or text(rem.get("Description")),
    }


def _posting(item: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    desc = item["MatchedObjectDescriptor"]
    details = (
        ((desc.get("UserArea") or {}).get("Details") or {}) if isinstance(desc.get("UserArea"), dict) else {}
    )
    posted_at, precision = parse_datetime(desc.get("PublicationStartDate"))
    summary = [html_to_text(details.get("JobSummary")), html_to_text(desc.get("QualificationSummary"))]
    duties = details.get("MajorDuties")
    if isinstance(duties, list):
        summary.insert(1, "\n".join(f"- {d}" for d in (html_to_text(x) for x in duties) if d))
    locations = [loc for loc in desc.get("PositionLocation") or [] if isinstance(loc, dict)]
    countries = {text(loc.get("CountryCode")) for loc in locations}
    remote = details.get("RemoteIndicator") if isinstance(details.get("RemoteIndicator"), bool) else None
    schedule = next(
        (text(s.get("Name")) for s in desc.get("PositionSchedule") or [] if isinstance(s, dict)), None
    )
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=as_id(item.get("MatchedObjectId")) or as_id(desc.get("PositionID")) or "",
        title=clean_line(desc.get("PositionTitle")) or "",
        company=clean_line(desc.get("OrganizationName")) or clean_line(desc.get("DepartmentName")),
        url=text(desc.get("PositionURI")),
        location_text=clean_line(desc.get("PositionLocationDisplay")),
        country="US" if countries == {"United States"} else None,
        remote=remote,
        work_mode="remote" if remote else None,
        employment_type=schedule,
        description="\n\n".join(p for p in summary if p) or None,
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "position_id": text(desc.get("PositionID")),
                "department": text(desc.get("DepartmentName")),
                "close_date": text(desc.get("ApplicationCloseDate")),
                "telework_eligible": details.get("TeleworkEligible"),
            }.items()
            if v is not None
        },
        **_pay(desc),
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    result_obj = data.get("SearchResult") if isinstance(data, dict) else None
    items = result_obj.get("SearchResultItems") if isinstance(result_obj, dict) else None
    if not isinstance(items, list):
        return ParseResult(errors=[record_error("not a USAJOBS search response", "", data)])
    result = ParseResult()
    for i, item in enumerate(items):
        pointer = f"/SearchResult/SearchResultItems/{i}"
        desc = item.get("MatchedObjectDescriptor") if isinstance(item, dict) else None
        if not isinstance(desc, dict) or not text(desc.get("PositionTitle")):
            result.errors.append(
                record_error("item without MatchedObjectDescriptor.PositionTitle", pointer, item)
            )
            continue
        add_posting(result, _posting, item, ctx, pointer)
    if not items:
        result.note = "search returned no items"
    return result
