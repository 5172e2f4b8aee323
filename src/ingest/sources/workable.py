"""Workable public widget API: ``apply.workable.com/api/v1/widget/accounts/{account}?details=true``."""

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
    parse_datetime,
    record_error,
    require_board,
    text,
)

KIND = "workable"
NEEDS_BOARD = True
BOARD_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
"""A legal board name (checked when the sources file is loaded; it goes into the API URL)."""
BOARD_RULE = "letters, digits, '-' and '_'"
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://apply.workable.com/api/v1/widget/accounts/{account}"


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    """Every published job of the account with descriptions (a complete listing)."""
    account = require_board(spec)
    resp = client.get(
        API.format(account=account), params={"details": "true"}, conditional=True, expect="json"
    )
    return [fetched(resp, complete_listing=True)]


def _location(job: dict[str, Any]) -> tuple[str | None, str | None]:
    locations = [loc for loc in job.get("locations") or [] if isinstance(loc, dict) and not loc.get("hidden")]
    first = locations[0] if locations else job
    parts = [
        text(first.get("city")),
        text(first.get("region") or first.get("state")),
        text(first.get("country")),
    ]
    label = ", ".join(p for p in parts if p) or None
    code = text(first.get("countryCode"))
    return label, code.upper() if code and len(code) == 2 else None


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str, company: str | None) -> Posting:
    posted_at, precision = parse_datetime(job.get("published_on") or job.get("created_at"))
    location_text, country = _location(job)
    remote = job.get("telecommuting") if isinstance(job.get("telecommuting"), bool) else None
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=as_id(job.get("shortcode")) or as_id(job.get("id")) or "",
        title=clean_line(job.get("title")) or "",
        company=company,
        url=text(job.get("url")) or text(job.get("shortlink")),
        location_text=clean_line(location_text),
        country=country,
        remote=remote,
        work_mode="remote" if remote else None,
        employment_type=text(job.get("employment_type")),
        description=html_to_text(job.get("description")),
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "department": text(job.get("department")),
                "function": text(job.get("function")),
                "industry": text(job.get("industry")),
                "experience": text(job.get("experience")),
                "code": text(job.get("code")),
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        return ParseResult(errors=[record_error("not a Workable widget response (no 'jobs' list)", "", data)])
    company = clean_line(data.get("name")) or ctx.company
    result = ParseResult()
    for i, job in enumerate(data["jobs"]):
        pointer = f"/jobs/{i}"
        if (
            not isinstance(job, dict)
            or not text(job.get("title"))
            or not (job.get("shortcode") or job.get("id"))
        ):
            result.errors.append(record_error("job without shortcode or title", pointer, job))
            continue
        add_posting(result, _posting, job, ctx, pointer, company)
    if not data["jobs"]:
        result.note = "account lists no jobs"
    return result
