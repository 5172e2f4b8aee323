"""Remotive public API: ``https://remotive.com/api/remote-jobs`` (optionally ``category`` / ``search``)."""

from __future__ import annotations

from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import HttpClient
from ingest.models import Posting
from ingest.sources._common import as_id, build, fetched, parse_datetime, parse_job_list, text

KIND = "remotive"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://remotive.com/api/remote-jobs"


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    params = {k: spec.params[k] for k in ("category", "search", "limit") if spec.params.get(k)}
    resp = client.get(API, params=params, conditional=True, expect="json")
    return [fetched(resp, complete_listing=not params)]


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    posted_at, precision = parse_datetime(job.get("publication_date"))
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("title")) or "",
        company=clean_line(job.get("company_name")),
        url=text(job.get("url")),
        location_text=clean_line(job.get("candidate_required_location")),
        remote=True,
        work_mode="remote",
        employment_type=text(job.get("job_type")),
        description=html_to_text(job.get("description")),
        posted_at=posted_at,
        posted_at_precision=precision,
        pay_text=clean_line(job.get("salary")),
        extra={
            k: v
            for k, v in {
                "category": text(job.get("category")),
                "tags": [t for t in job.get("tags") or [] if isinstance(t, str)],
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    return parse_job_list(
        payload,
        ctx,
        key="jobs",
        posting=_posting,
        not_a_feed="not a Remotive response (no 'jobs' list)",
        bad_record="job without id or title",
        empty_note="no jobs in the response",
    )
