"""Jibe (iCIMS-hosted career sites such as careers.docusign.com): ``https://{host}/api/jobs?page=N``.

Configure with ``params.host``; ``params.query`` adds query parameters (categories, locations).
"""

from __future__ import annotations

from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import FetchError, HttpClient
from ingest.models import Posting
from ingest.sources._common import (
    add_posting,
    as_id,
    build,
    fetched,
    load_json,
    obj,
    parse_datetime,
    record_error,
    text,
)

KIND = "jibe"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
DEFAULT_MAX_PAGES = 20


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    host = text(spec.params.get("host"))
    if not host:
        raise FetchError("config", f"jibe source {spec.name!r} needs params.host (e.g. careers.docusign.com)")
    out: list[Fetched] = []
    seen = 0
    for page in range(1, int(spec.params.get("max_pages", DEFAULT_MAX_PAGES)) + 1):
        query = {**(spec.params.get("query") or {}), "page": page}
        resp, data = client.get_json(f"https://{host}/api/jobs", params=query)
        jobs = data.get("jobs") or [] if isinstance(data, dict) else []
        total = data.get("totalCount") if isinstance(data, dict) else None
        out.append(fetched(resp))
        seen += len(jobs)
        if not jobs or not isinstance(total, int) or seen >= total:
            break
    return out


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    posted_at, precision = parse_datetime(job.get("posted_date") or job.get("create_date"))
    meta = obj(job.get("meta_data"))
    parts = [
        html_to_text(job.get("description")),
        html_to_text(job.get("responsibilities")),
        html_to_text(job.get("qualifications")),
    ]
    tags = [t for t in (job.get("tags2") or []) if isinstance(t, str)]
    mode = next((m for m in ("remote", "hybrid") if any(m == t.lower() for t in tags)), None)
    code = text(job.get("country_code"))
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=as_id(job.get("req_id")) or as_id(job.get("slug")) or "",
        title=clean_line(job.get("title")) or "",
        company=clean_line(job.get("hiring_organization")) or ctx.company or text(meta.get("client_code")),
        url=text(meta.get("canonical_url")) or text(job.get("apply_url")),
        location_text=clean_line(job.get("full_location") or job.get("location_name")),
        country=code.upper() if code and len(code) == 2 else None,
        work_mode=mode,
        remote=True if mode == "remote" else None,
        employment_type=text(job.get("employment_type")),
        description="\n\n".join(p for p in parts if p) or None,
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "categories": [c.get("name") for c in job.get("categories") or [] if isinstance(c, dict)],
                "tags": tags,
                "ats": text(job.get("ats_code")),
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        return ParseResult(errors=[record_error("not a Jibe jobs page (no 'jobs' list)", "", data)])
    result = ParseResult()
    for i, item in enumerate(data["jobs"]):
        pointer = f"/jobs/{i}/data"
        job = item.get("data") if isinstance(item, dict) else None
        if (
            not isinstance(job, dict)
            or not text(job.get("title"))
            or not (job.get("req_id") or job.get("slug"))
        ):
            result.errors.append(record_error("job without id or title", pointer, item))
            continue
        add_posting(result, _posting, job, ctx, pointer)
    if not data["jobs"]:
        result.note = "page lists no jobs"
    return result
