"""SmartRecruiters Posting API: ``api.smartrecruiters.com/v1/companies/{company}/postings`` (paged).

``parse`` reads a postings page (``content`` list, ``totalFound``) and a single posting detail
(with ``jobAd.sections``). ``fetch`` lands the listing pages; with ``params.details: true`` it
also lands up to ``params.max_details`` (default 100) posting details for full descriptions.
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
    obj,
    parse_datetime,
    record_error,
    require_board,
    text,
)

KIND = "smartrecruiters"
NEEDS_BOARD = True
BOARD_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
"""A legal board name (checked when the sources file is loaded; it goes into the API URL)."""
BOARD_RULE = "letters, digits, '-' and '_'"
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
API = "https://api.smartrecruiters.com/v1/companies/{company}/postings"
PAGE_SIZE = 100
DEFAULT_MAX_PAGES = 20
_SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    company = require_board(spec)
    max_pages = int(spec.params.get("max_pages", DEFAULT_MAX_PAGES))
    out: list[Fetched] = []
    ids: list[str] = []
    offset, total = 0, None
    for _page in range(max_pages):
        resp, data = client.get_json(
            API.format(company=company), params={"limit": PAGE_SIZE, "offset": offset}
        )
        content = data.get("content") or [] if isinstance(data, dict) else []
        total = data.get("totalFound") if isinstance(data, dict) else None
        ids += [str(p["id"]) for p in content if isinstance(p, dict) and p.get("id")]
        out.append(fetched(resp))
        offset += PAGE_SIZE
        if not content or not isinstance(total, int) or offset >= total:
            break
    if len(out) == 1 and isinstance(total, int) and len(ids) >= total:
        out[0] = fetched_complete(out[0])
    if spec.params.get("details"):
        for posting_id in ids[: int(spec.params.get("max_details", 100))]:
            resp, _ = client.get_json(f"{API.format(company=company)}/{posting_id}", stay_on=API)
            out.append(fetched(resp))
    return out


def fetched_complete(item: Fetched) -> Fetched:
    return Fetched(
        payload=item.payload,
        url=item.url,
        fetched_at=item.fetched_at,
        content_type=item.content_type,
        ext=item.ext,
        complete_listing=True,
        http_status=item.http_status,
    )


def _description(job: dict[str, Any]) -> str | None:
    sections = ((job.get("jobAd") or {}).get("sections") or {}) if isinstance(job.get("jobAd"), dict) else {}
    parts = []
    for key in _SECTIONS:
        section = sections.get(key)
        if isinstance(section, dict) and section.get("text"):
            body = html_to_text(section.get("text"))
            parts.append("\n".join(p for p in (clean_line(section.get("title")), body) if p))
    return "\n\n".join(parts) or None


def _label(value: Any) -> str | None:
    return text(value.get("label")) if isinstance(value, dict) else text(value)


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    loc = obj(job.get("location"))
    company = obj(job.get("company"))
    posted_at, precision = parse_datetime(job.get("releasedDate"))
    remote, hybrid = loc.get("remote"), loc.get("hybrid")
    work_mode = "remote" if remote is True else "hybrid" if hybrid is True else None
    location_text = text(loc.get("fullLocation")) or ", ".join(
        p for p in (text(loc.get("city")), text(loc.get("region")), text(loc.get("country"))) if p
    )
    identifier = text(company.get("identifier")) or ctx.board
    country = text(loc.get("country"))
    return build(
        ctx,
        pointer,
        board=ctx.board or identifier,
        source=KIND,
        source_id=as_id(job.get("id")) or "",
        title=clean_line(job.get("name")) or "",
        company=clean_line(company.get("name")),
        url=text(job.get("postingUrl"))
        or (f"https://jobs.smartrecruiters.com/{identifier}/{job.get('id')}" if identifier else None),
        location_text=clean_line(location_text),
        country=country.upper() if country and len(country) == 2 else None,
        remote=remote if isinstance(remote, bool) else None,
        work_mode=work_mode,
        employment_type=_label(job.get("typeOfEmployment")),
        description=_description(job),
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "ref_number": text(job.get("refNumber")),
                "function": _label(job.get("function")),
                "department": _label(job.get("department")),
                "experience_level": _label(job.get("experienceLevel")),
                "industry": _label(job.get("industry")),
            }.items()
            if v
        },
    )


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        items = [(f"/content/{i}", job) for i, job in enumerate(data["content"])]
    elif isinstance(data, dict) and "id" in data and "name" in data:
        items = [("", data)]
    else:
        return ParseResult(errors=[record_error("not a SmartRecruiters postings page or posting", "", data)])
    result = ParseResult()
    for pointer, job in items:
        if not isinstance(job, dict) or not text(job.get("name")) or as_id(job.get("id")) is None:
            result.errors.append(record_error("posting without id or name", pointer, job))
            continue
        add_posting(result, _posting, job, ctx, pointer)
    if not items:
        result.note = "company lists no postings"
    return result
