"""Workday career sites (CXS JSON): search ``POST /wday/cxs/{tenant}/{site}/jobs`` + job detail GET.

Configure with ``params.url`` = the public career site (``https://acme.wd5.myworkdayjobs.com/External``).
``postedOn`` is relative ("Posted Today", "Posted Yesterday", "Posted 30+ Days Ago") and resolved
against ``ctx.fetched_at`` (precision ``day``, or ``approx`` for "N+" and weeks/months); a detail's
``startDate`` (the posting start date) wins when present.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

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
    relative_posted,
    text,
)

KIND = "workday"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
PAGE_SIZE = 20
DEFAULT_MAX_JOBS = 200
_CXS_RE = re.compile(r"/wday/cxs/([^/]+)/([^/]+)")


def site_parts(spec: SourceSpec) -> tuple[str, str, str]:
    """(host, tenant, site) from ``params.url`` or ``params.host`` + ``board`` = ``tenant/site``."""
    url = text(spec.params.get("url"))
    if url:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s and not re.fullmatch(r"[a-z]{2}-[A-Z]{2}", s)]
        if parts.hostname and segments:
            return parts.hostname, parts.hostname.split(".")[0], segments[0]
    host = text(spec.params.get("host"))
    if host and spec.board and "/" in spec.board:
        tenant, site = spec.board.split("/", 1)
        return host, tenant, site
    raise FetchError("config", f"workday source {spec.name!r} needs params.url (the career site URL)")


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    host, tenant, site = site_parts(spec)
    base = f"https://{host}/wday/cxs/{tenant}/{site}"
    max_jobs = int(spec.params.get("max_jobs", DEFAULT_MAX_JOBS))
    pages: list[Fetched] = []
    paths: list[str] = []
    offset, total = 0, None
    while offset < max_jobs:
        body = {
            "appliedFacets": {},
            "limit": PAGE_SIZE,
            "offset": offset,
            "searchText": spec.params.get("search", ""),
        }
        resp, data = client.post_json(f"{base}/jobs", body)
        postings = data.get("jobPostings") or [] if isinstance(data, dict) else []
        if total is None and isinstance(data, dict):
            total = data.get("total")
        paths += [p["externalPath"] for p in postings if isinstance(p, dict) and p.get("externalPath")]
        pages.append(fetched(resp))
        offset += PAGE_SIZE
        if not postings or (isinstance(total, int) and offset >= total):
            break
    if not spec.params.get("details", True):
        return pages
    out = []
    for path in paths[:max_jobs]:
        resp, _ = client.get_json(f"{base}{path}", stay_on=base)  # the path comes from the payload
        out.append(fetched(resp))
    return out


def workday_id(posting_id: str | None) -> str | None:
    """Req id from a posting id / external path (``Senior-Engineer_R024215`` → ``R024215``)."""
    if not posting_id:
        return None
    last = posting_id.rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit("_", 1)[-1] if "_" in last else last


def _detail(data: dict[str, Any], ctx: ParseContext) -> Posting:
    info = data["jobPostingInfo"]
    posted_at, precision = parse_datetime(info.get("startDate"))
    if posted_at is None:
        posted_at, precision = relative_posted(text(info.get("postedOn")), ctx.fetched_at)
    org = obj(data.get("hiringOrganization"))
    req_loc = obj(info.get("jobRequisitionLocation"))
    country = ((req_loc.get("country") or {}) if isinstance(req_loc.get("country"), dict) else {}).get(
        "alpha2Code"
    )
    more = info.get("additionalLocations")
    locations = [info.get("location"), *(more if isinstance(more, list) else [])]
    remote_type = text(info.get("remoteType"))
    mode = {"remote": "remote", "hybrid": "hybrid", "on-site": "onsite", "onsite": "onsite"}.get(
        (remote_type or "").lower()
    )
    return build(
        ctx,
        "/jobPostingInfo",
        source=KIND,
        source_id=workday_id(text(info.get("jobPostingId")))
        or as_id(info.get("jobReqId"))
        or as_id(info.get("id"))
        or "",
        title=clean_line(info.get("title")) or "",
        company=clean_line(org.get("name")),
        url=text(info.get("externalUrl")),
        location_text=clean_line("; ".join(str(loc) for loc in locations if loc)),
        country=text(country),
        work_mode=mode,
        remote=True if mode == "remote" else None,
        employment_type=text(info.get("timeType")),
        description=html_to_text(info.get("jobDescription")),
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "job_req_id": text(info.get("jobReqId")),
                "posted_on": text(info.get("postedOn")),
                "site": text(info.get("jobPostingSiteId")),
                "remote_type": remote_type,
            }.items()
            if v
        },
    )


def _search(data: dict[str, Any], ctx: ParseContext) -> ParseResult:
    result = ParseResult()
    m = _CXS_RE.search(ctx.url or "")
    site_root = None
    if m and ctx.url:
        parts = urlsplit(ctx.url)
        site_root = f"{parts.scheme}://{parts.netloc}/{m.group(2)}"
    for i, job in enumerate(data["jobPostings"]):
        pointer = f"/jobPostings/{i}"
        path = text(job.get("externalPath")) if isinstance(job, dict) else None
        if not isinstance(job, dict) or not text(job.get("title")) or not path:
            result.errors.append(record_error("job posting without title or externalPath", pointer, job))
            continue
        posted_at, precision = relative_posted(text(job.get("postedOn")), ctx.fetched_at)
        fields = job.get("bulletFields")
        bullets = [b for b in fields if isinstance(b, str)] if isinstance(fields, list) else []
        result.postings.append(
            build(
                ctx,
                pointer,
                source=KIND,
                source_id=workday_id(path) or "",
                title=clean_line(job.get("title")) or "",
                url=f"{site_root}{path}" if site_root else None,
                location_text=clean_line(job.get("locationsText")),
                posted_at=posted_at,
                posted_at_precision=precision,
                extra={
                    k: v for k, v in {"posted_on": text(job.get("postedOn")), "bullets": bullets}.items() if v
                },
            )
        )
    return result


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if isinstance(data, dict) and isinstance(data.get("jobPostingInfo"), dict):
        if not text(data["jobPostingInfo"].get("title")):
            return ParseResult(errors=[record_error("job detail without title", "/jobPostingInfo", data)])
        result = ParseResult()
        add_posting(result, _detail, data, ctx)
        return result
    if isinstance(data, dict) and isinstance(data.get("jobPostings"), list):
        result = _search(data, ctx)
        if not data["jobPostings"]:
            result.note = "search page lists no jobs"
        return result
    return ParseResult(errors=[record_error("not a Workday CXS job detail or search page", "", data)])
