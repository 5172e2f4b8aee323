"""Pinpoint public postings feed: ``{board}.pinpointhq.com/postings.json``."""

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
    text,
    work_mode_from,
)

KIND = "pinpoint"
NEEDS_BOARD = True
BOARD_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
"""A legal board name (checked when the sources file is loaded; it goes into the API URL)."""
BOARD_RULE = "a subdomain label: letters, digits and inner '-'"
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://{board}.pinpointhq.com/postings.json"


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    board = require_board(spec)
    resp = client.get(API.format(board=board), conditional=True, expect="json")
    return [fetched(resp, complete_listing=True)]


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    loc = obj(job.get("location"))
    visible = job.get("compensation_visible") is not False
    lo = number(job.get("compensation_minimum")) if visible else None
    hi = number(job.get("compensation_maximum")) if visible else None
    pay_text = text(job.get("compensation")) if visible else None
    posted_at, precision = parse_datetime(job.get("published_at") or job.get("created_at"))
    department = ((job.get("job") or {}).get("department") or {}) if isinstance(job.get("job"), dict) else {}
    mode = work_mode_from(job.get("workplace_type_text") or job.get("workplace_type"))
    board = ctx.board
    if not board and text(job.get("url")) and ".pinpointhq.com" in str(job["url"]):
        board = str(job["url"]).split("//", 1)[-1].split(".pinpointhq.com", 1)[0]
    return build(
        ctx,
        pointer,
        board=board,
        company=ctx.company or board,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("title")) or "",
        url=text(job.get("url")),
        location_text=clean_line(loc.get("name")) or clean_line(loc.get("city")),
        work_mode=mode,
        remote=True if mode == "remote" else None,
        employment_type=text(job.get("employment_type_text")),
        description=html_to_text(job.get("description")),
        posted_at=posted_at,
        posted_at_precision=precision,
        pay_min=lo,
        pay_max=hi,
        pay_currency=text(job.get("compensation_currency")) if lo or hi else None,
        pay_period=period_from(job.get("compensation_frequency")) if lo or hi else None,
        pay_text=pay_text,
        extra={
            k: v
            for k, v in {
                "department": text(department.get("name")) if isinstance(department, dict) else None,
                "deadline_at": text(job.get("deadline_at")),
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    return parse_job_list(
        payload,
        ctx,
        key="data",
        posting=_posting,
        not_a_feed="not a Pinpoint postings feed (no 'data' list)",
        bad_record="posting without id or title",
        empty_note="board lists no postings",
    )
