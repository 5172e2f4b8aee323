"""Lever Postings API: ``api.lever.co/v0/postings/{site}?mode=json`` (``api.eu.lever.co`` with ``region: eu``)."""

from __future__ import annotations

from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import HttpClient
from ingest.models import Posting
from ingest.sources._common import (
    add_posting,
    as_id,
    build,
    fetched,
    load_json,
    number,
    obj,
    parse_datetime,
    pay_display,
    period_from,
    record_error,
    require_board,
    slug_from_url,
    text,
    work_mode_from,
)

KIND = "lever"
NEEDS_BOARD = True
BOARD_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
"""A legal board name (checked when the sources file is loaded; it goes into the API URL)."""
BOARD_RULE = "letters, digits, '-' and '_'; no dots, slashes or spaces"
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = {
    "global": "https://api.lever.co/v0/postings/{site}",
    "eu": "https://api.eu.lever.co/v0/postings/{site}",
}


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    """Every published posting of the site in one conditional request (a complete listing)."""
    site = require_board(spec)
    url = API.get(str(spec.params.get("region", "global")), API["global"]).format(site=site)
    resp = client.get(url, params={"mode": "json"}, conditional=True, expect="json")
    return [fetched(resp, complete_listing=True)]


def _description(job: dict[str, Any]) -> str | None:
    parts: list[str] = []
    if job.get("description") or job.get("descriptionPlain"):
        parts.append(html_to_text(job.get("description")) or html_to_text(job.get("descriptionPlain")) or "")
    for block in job.get("lists") or []:
        if isinstance(block, dict):
            heading = clean_line(block.get("text"))
            body = html_to_text(f"<ul>{block.get('content') or ''}</ul>")
            parts.append("\n".join(p for p in (heading, body) if p))
    if job.get("additional") or job.get("additionalPlain"):
        parts.append(html_to_text(job.get("additional")) or html_to_text(job.get("additionalPlain")) or "")
    out = "\n\n".join(p for p in parts if p)
    return out or None


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    cats = obj(job.get("categories"))
    salary = obj(job.get("salaryRange"))
    lo, hi = number(salary.get("min")), number(salary.get("max"))
    currency, period = text(salary.get("currency")), period_from(salary.get("interval"))
    pay_text = text(job.get("salaryDescriptionPlain")) or html_to_text(job.get("salaryDescription"))
    posted_at, precision = parse_datetime(job.get("createdAt"))
    all_locations = [loc for loc in cats.get("allLocations") or [] if isinstance(loc, str)]
    country = text(job.get("country"))
    board = ctx.board or slug_from_url(job.get("hostedUrl"), "lever.co")
    return build(
        ctx,
        pointer,
        board=board,
        company=ctx.company or board,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("text")) or "",
        url=text(job.get("hostedUrl")),
        location_text=clean_line(cats.get("location")) or clean_line("; ".join(all_locations)),
        country=country.upper() if country and len(country) == 2 else None,
        work_mode=work_mode_from(job.get("workplaceType")),
        remote=True if work_mode_from(job.get("workplaceType")) == "remote" else None,
        employment_type=text(cats.get("commitment")),
        description=_description(job),
        posted_at=posted_at,
        posted_at_precision=precision,
        pay_min=lo,
        pay_max=hi,
        pay_currency=currency if lo or hi else None,
        pay_period=period if lo or hi else None,
        pay_text=pay_text or pay_display(lo, hi, currency, period),
        extra={
            k: v
            for k, v in {
                "team": text(cats.get("team")),
                "department": text(cats.get("department")),
                "all_locations": all_locations,
                "workplace_type": text(job.get("workplaceType")),
                "apply_url": text(job.get("applyUrl")),
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if isinstance(data, dict) and "id" in data:
        items = [("", data)]
    elif isinstance(data, list):
        items = [(f"/{i}", job) for i, job in enumerate(data)]
    else:
        return ParseResult(errors=[record_error("not a Lever postings list", "", data)])
    result = ParseResult()
    for pointer, job in items:
        if not isinstance(job, dict) or not text(job.get("text")) or as_id(job.get("id")) is None:
            result.errors.append(record_error("posting without id or title", pointer, job))
            continue
        add_posting(result, _posting, job, ctx, pointer)
    if not items:
        result.note = "site lists no postings"
    return result
