"""Arbeitnow job board API: ``https://www.arbeitnow.com/api/job-board-api`` (paged via ``links.next``)."""

from __future__ import annotations

from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import HttpClient
from ingest.models import Posting
from ingest.sources._common import add_posting, build, fetched, load_json, parse_datetime, record_error, text

KIND = "arbeitnow"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://www.arbeitnow.com/api/job-board-api"
DEFAULT_MAX_PAGES = 5


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    out: list[Fetched] = []
    url: str | None = API
    for _page in range(int(spec.params.get("max_pages", DEFAULT_MAX_PAGES))):
        if not url:
            break
        # a next-page link comes from the payload: it must stay on the API's origin
        resp, data = client.get_json(url, stay_on=API)
        out.append(fetched(resp))
        links = data.get("links") if isinstance(data, dict) else None
        url = text(links.get("next")) if isinstance(links, dict) else None
    return out


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    posted_at, precision = parse_datetime(job.get("created_at"))
    remote = job.get("remote") if isinstance(job.get("remote"), bool) else None
    job_types = [t for t in job.get("job_types") or [] if isinstance(t, str)]
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=text(job.get("slug")) or "",
        title=clean_line(job.get("title")) or "",
        company=clean_line(job.get("company_name")),
        url=text(job.get("url")),
        location_text=clean_line(job.get("location")),
        remote=remote,
        work_mode="remote" if remote else None,
        employment_type=", ".join(job_types) or None,
        description=html_to_text(job.get("description")),
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={"tags": [t for t in job.get("tags") or [] if isinstance(t, str)]} if job.get("tags") else {},
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        return ParseResult(errors=[record_error("not an Arbeitnow page (no 'data' list)", "", data)])
    result = ParseResult()
    for i, job in enumerate(data["data"]):
        pointer = f"/data/{i}"
        if not isinstance(job, dict) or not text(job.get("title")) or not text(job.get("slug")):
            result.errors.append(record_error("job without slug or title", pointer, job))
            continue
        add_posting(result, _posting, job, ctx, pointer)
    if not data["data"]:
        result.note = "page lists no jobs"
    return result
