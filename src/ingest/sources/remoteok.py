"""RemoteOK public API: ``https://remoteok.com/api`` (element 0 is the legal notice; salaries in USD/year).

RemoteOK's terms ask for a link back: postings keep their ``url``. ``salary_min``/``salary_max`` of
0 mean "no pay stated".
"""

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
    parse_datetime,
    pay_display,
    record_error,
    text,
)

KIND = "remoteok"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://remoteok.com/api"


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    """The current feed (all live jobs: a complete listing)."""
    resp = client.get(str(spec.params.get("url", API)), conditional=True, expect="json")
    return [fetched(resp, complete_listing=True)]


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    posted_at, precision = parse_datetime(job.get("date"))
    if posted_at is None:
        posted_at, precision = parse_datetime(job.get("epoch"))
    lo, hi = number(job.get("salary_min")), number(job.get("salary_max"))
    has_pay = lo is not None or hi is not None
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("position")) or "",
        company=clean_line(job.get("company")),
        url=text(job.get("url")),
        location_text=clean_line(job.get("location")),
        remote=True,
        work_mode="remote",
        description=html_to_text(job.get("description")),
        posted_at=posted_at,
        posted_at_precision=precision,
        pay_min=lo,
        pay_max=hi,
        pay_currency="USD" if has_pay else None,
        # RemoteOK states no period: most values are yearly, some are hourly (30/30, 80/140), so
        # the period is left to the salary normaliser's magnitude rule rather than guessed here.
        pay_period=None,
        pay_text=pay_display(lo, hi, "USD", None) if has_pay else None,
        extra={
            k: v
            for k, v in {
                "tags": [t for t in job.get("tags") or [] if isinstance(t, str)],
                "slug": text(job.get("slug")),
                "apply_url": text(job.get("apply_url")),
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if not isinstance(data, list):
        return ParseResult(errors=[record_error("not a RemoteOK feed (expected a JSON array)", "", data)])
    result = ParseResult()
    for i, job in enumerate(data):
        pointer = f"/{i}"
        if isinstance(job, dict) and "legal" in job and "id" not in job:
            continue  # the legal notice
        if not isinstance(job, dict) or not text(job.get("position")) or as_id(job.get("id")) is None:
            result.errors.append(record_error("job without id or position", pointer, job))
            continue
        add_posting(result, _posting, job, ctx, pointer)
    if not result.postings and not result.errors:
        result.note = "feed has no jobs"
    return result
