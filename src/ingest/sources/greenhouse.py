"""Greenhouse Job Board API: ``boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true``.

``parse`` reads the board listing (with or without ``content``) and the single-job response
(``/jobs/{id}``, optionally with ``pay_transparency=true`` → ``pay_input_ranges`` in cents).
"""

from __future__ import annotations

import re
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
    parse_datetime,
    pay_display,
    record_error,
    require_board,
    text,
)

KIND = "greenhouse"
NEEDS_BOARD = True
BOARD_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
"""A legal board name (checked when the sources file is loaded; it goes into the API URL)."""
BOARD_RULE = "letters, digits, '-' and '_'; no dots, slashes or spaces"
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://boards-api.greenhouse.io/v1/boards/{board}/jobs"
CENTS_PER_UNIT = 100
_EMPLOYMENT_RE = re.compile(r"employment|time type|job type", re.I)


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    """The whole board with descriptions, as one conditional request (a complete listing)."""
    board = require_board(spec)
    resp = client.get(API.format(board=board), params={"content": "true"}, conditional=True, expect="json")
    return [fetched(resp, complete_listing=True)]


def _pay(job: dict[str, Any]) -> dict[str, Any]:
    ranges = [r for r in job.get("pay_input_ranges") or [] if isinstance(r, dict)]
    if not ranges:
        return {}
    first = ranges[0]
    lo, hi = number(first.get("min_cents")), number(first.get("max_cents"))
    out: dict[str, Any] = {
        "pay_min": lo / CENTS_PER_UNIT if lo else None,
        "pay_max": hi / CENTS_PER_UNIT if hi else None,
        "pay_currency": text(first.get("currency_type")),
    }
    shown = []
    for r in ranges:
        rlo, rhi = number(r.get("min_cents")), number(r.get("max_cents"))
        label = pay_display(
            rlo / CENTS_PER_UNIT if rlo else None,
            rhi / CENTS_PER_UNIT if rhi else None,
            text(r.get("currency_type")),
            None,
        )
        if label:
            shown.append(f"{text(r.get('title'))}: {label}" if text(r.get("title")) else label)
    out["pay_text"] = "; ".join(shown) or None
    return out


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    posted_at, precision = parse_datetime(job.get("first_published"))
    if posted_at is None:
        posted_at, precision = parse_datetime(job.get("updated_at"))
    metadata = [m for m in job.get("metadata") or [] if isinstance(m, dict)]
    employment = next(
        (text(m.get("value")) for m in metadata if _EMPLOYMENT_RE.search(str(m.get("name") or ""))), None
    )
    extra = {
        "internal_job_id": as_id(job.get("internal_job_id")),
        "requisition_id": text(job.get("requisition_id")),
        "updated_at": text(job.get("updated_at")),
        "language": text(job.get("language")),
        "departments": [d.get("name") for d in job.get("departments") or [] if isinstance(d, dict)],
        "offices": [o.get("name") for o in job.get("offices") or [] if isinstance(o, dict)],
    }
    if job.get("pay_input_ranges"):
        extra["pay_input_ranges"] = job["pay_input_ranges"]
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("title")) or "",
        company=clean_line(job.get("company_name")),
        url=text(job.get("absolute_url")),
        location_text=clean_line((job.get("location") or {}).get("name")),
        employment_type=employment,
        description=html_to_text(job.get("content")),
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={k: v for k, v in extra.items() if v},
        **_pay(job),
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if isinstance(data, dict) and isinstance(data.get("jobs"), list):
        items = [(f"/jobs/{i}", job) for i, job in enumerate(data["jobs"])]
    elif isinstance(data, dict) and "id" in data and "title" in data:
        items = [("", data)]
    else:
        return ParseResult(errors=[record_error("not a Greenhouse board listing or job", "", data)])
    result = ParseResult()
    for pointer, job in items:
        if not isinstance(job, dict) or not text(job.get("title")) or as_id(job.get("id")) is None:
            result.errors.append(record_error("job without id or title", pointer, job))
            continue
        add_posting(result, _posting, job, ctx, pointer)
    if not result.postings and not result.errors:
        result.note = "board lists no jobs"
    return result
