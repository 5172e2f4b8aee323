"""Hacker News "Ask HN: Who is hiring?" threads via the Algolia API.

``fetch`` finds the monthly threads (``/api/v1/search?tags=story,author_whoishiring``), then lands
each thread with all comments (``/api/v1/items/{id}``). ``parse`` turns each top-level comment into
one posting (several when the role segment lists several roles) from the first-line convention
``Company | Role(s) | Location | Remote/Onsite | Pay | URL``. The cursor remembers the newest
thread, so older threads are not fetched again.
"""

from __future__ import annotations

import re
from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, no_parse_options
from ingest.html import clean_line, html_to_text
from ingest.http import HttpClient
from ingest.models import Posting
from ingest.sources._common import as_id, build, fetched, load_json, parse_datetime, record_error

KIND = "hn"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = False  # a comment is a posting when its rendered first line names roles
parse_options = no_parse_options
SEARCH_API = "https://hn.algolia.com/api/v1/search"
ITEM_API = "https://hn.algolia.com/api/v1/items/{id}"
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
THREAD_RE = re.compile(r"who is hiring\?", re.I)

_URL_RE = re.compile(r"^(?:https?://\S+|(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?)$", re.I)
_PAY_RE = re.compile(r"[$€£]\s?\d|\b\d{2,3}\s?[kK]\b|\b(?:USD|EUR|GBP|CAD|salary|compensation)\b", re.I)
_MODE_RE = re.compile(r"\b(remote|onsite|on-site|on site|hybrid|in[- ]office|in[- ]person)\b", re.I)
_NOT_REMOTE_RE = re.compile(r"\b(no|not)\s+remote\b", re.I)
_EMPLOYMENT_RE = re.compile(
    r"\b(full[- ]?time|part[- ]?time|contract(or)?|intern(ship)?s?|freelance|permanent)\b", re.I
)
_VISA_RE = re.compile(r"\bvisa\b", re.I)
_ROLE_RE = re.compile(
    r"\b(engineers?|developers?|scientists?|researchers?|designers?|managers?|leads?|directors?|architects?|"
    r"analysts?|sre|devops|founding|head of|cto|vp|recruiters?|specialists?|consultants?|administrators?|"
    r"technicians?|writers?|marketers?|product|account executives?|programmers?|ml|ai|frontend|backend|"
    r"full[- ]?stack|mobile|ios|android|security|data|operations|support|sales|designer)\b",
    re.I,
)
_ROLE_NOUN_RE = re.compile(
    r"\b(engineers?|developers?|scientists?|researchers?|designers?|managers?|leads?|directors?|architects?|"
    r"analysts?|sres?|recruiters?|specialists?|consultants?|administrators?|technicians?|writers?|marketers?|"
    r"executives?|programmers?|interns?|head of|vp|cto|founding \w+)\b",
    re.I,
)
_ROLE_SPLIT_RE = re.compile(r"\s*(?:;|,|\s/\s|\s&\s|\sand\s)\s*", re.I)


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    months = int(spec.params.get("months", 1))
    _, data = client.get_json(SEARCH_API, params={"tags": "story,author_whoishiring", "hitsPerPage": 30})
    hits = [
        h
        for h in (data or {}).get("hits", [])
        if isinstance(h, dict) and THREAD_RE.search(str(h.get("title")))
    ]
    hits.sort(key=lambda h: int(h.get("created_at_i") or 0), reverse=True)
    since = int((cursor or {}).get("thread_created_at") or 0)
    out = []
    for hit in hits[:months]:
        if int(hit.get("created_at_i") or 0) < since:
            continue  # an older thread than the one we already have
        resp, _ = client.get_json(ITEM_API.format(id=hit["objectID"]), stay_on=SEARCH_API)
        out.append(fetched(resp))
    return out


def next_cursor(items: list[Fetched], cursor: Cursor) -> Cursor:
    """Newest thread and newest comment time among the landed threads (advanced after landing)."""
    out = dict(cursor)
    for item in items:
        data, err = load_json(item.payload)
        if err or not isinstance(data, dict) or data.get("type") != "story":
            continue
        created = int(data.get("created_at_i") or 0)
        if created >= int(out.get("thread_created_at") or 0):
            out["thread_id"] = as_id(data.get("id"))
            out["thread_created_at"] = created
            comments = [
                int(c.get("created_at_i") or 0) for c in data.get("children") or [] if isinstance(c, dict)
            ]
            out["last_comment_at"] = max(comments, default=created)
    return out


def _company(segment: str) -> str | None:
    segment = re.sub(r"\(?https?://\S+\)?", "", segment)
    return clean_line(segment.strip(" -–:"))


def split_roles(segment: str) -> list[str]:
    """``Roles: Backend Engineer, ML Engineer`` → two roles; ``Senior Engineer, Backend`` stays one."""
    segment = re.sub(r"^\s*(roles?|positions?|hiring|hiring for)\s*:\s*", "", segment, flags=re.I)
    parts = [p for p in _ROLE_SPLIT_RE.split(segment) if p.strip()]
    if len(parts) > 1 and all(_ROLE_NOUN_RE.search(p) for p in parts):
        return [p.strip() for p in parts]
    return [segment.strip()]


def parse_header(line: str) -> dict[str, Any] | None:
    """Fields from a ``Company | Role | Location | Remote | Pay`` first line; ``None`` without pipes."""
    segments = [s.strip() for s in line.split("|")]
    segments = [s for s in segments if s]
    if len(segments) < 2:
        return None
    out: dict[str, Any] = {"company": _company(segments[0]), "roles": [], "header": line}
    locations: list[str] = []
    mode_segment = None
    for seg in segments[1:]:
        if _URL_RE.match(seg):
            out.setdefault("url", seg)
        elif _PAY_RE.search(seg) and re.search(r"\d", seg):
            out.setdefault("pay_text", seg)
        elif _MODE_RE.search(seg) and not _ROLE_RE.search(seg.split("(")[0]):
            mode_segment = mode_segment or seg
        elif _EMPLOYMENT_RE.search(seg) and len(seg) < 40 and not _ROLE_NOUN_RE.search(seg):
            out.setdefault("employment_type", seg)
        elif _VISA_RE.search(seg):
            out.setdefault("visa", seg)
        elif not out["roles"] and _ROLE_RE.search(seg):
            out["roles"] = split_roles(seg)
        else:
            locations.append(seg)
    if not out["roles"] and locations:
        out["roles"] = split_roles(locations.pop(0))
    if mode_segment:
        word = _MODE_RE.search(mode_segment).group(1).lower()  # type: ignore[union-attr]
        negated = bool(_NOT_REMOTE_RE.search(mode_segment))
        out["work_mode"] = (
            "hybrid" if word == "hybrid" else "remote" if word == "remote" and not negated else "onsite"
        )
        out["remote"] = out["work_mode"] == "remote"
    out["location_text"] = "; ".join(locations) if locations else mode_segment
    return out


def _postings(
    comment: dict[str, Any], ctx: ParseContext, pointer: str, thread_id: str | None
) -> list[Posting]:
    description = html_to_text(comment.get("text")) or ""
    header = parse_header(description.split("\n", 1)[0])
    if header is None or not header["roles"]:
        return []
    comment_id = as_id(comment.get("id")) or ""
    posted_at, precision = parse_datetime(comment.get("created_at_i") or comment.get("created_at"))
    roles = header["roles"]
    out = []
    for n, role in enumerate(roles, start=1):
        out.append(
            build(
                ctx,
                pointer,
                source=KIND,
                source_id=comment_id if len(roles) == 1 else f"{comment_id}-{n}",
                title=clean_line(role) or role,
                company=header["company"],
                url=ITEM_URL.format(id=comment_id),
                location_text=clean_line(header.get("location_text")),
                remote=header.get("remote"),
                work_mode=header.get("work_mode"),
                employment_type=header.get("employment_type"),
                description=description,
                posted_at=posted_at,
                posted_at_precision=precision,
                pay_text=header.get("pay_text"),
                extra={
                    k: v
                    for k, v in {
                        "thread_id": thread_id,
                        "author": comment.get("author"),
                        "header": header["header"],
                        "company_url": header.get("url"),
                        "visa": header.get("visa"),
                    }.items()
                    if v
                },
            )
        )
    return out


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if isinstance(data, dict) and isinstance(data.get("hits"), list):
        return ParseResult(note="a thread search listing (no postings); threads are landed separately")
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        return ParseResult(errors=[record_error("not an HN Algolia item with children", "", data)])
    thread_id = as_id(data.get("id"))
    result = ParseResult()
    skipped = deleted = 0
    for i, comment in enumerate(data["children"]):
        pointer = f"/children/{i}"
        if not isinstance(comment, dict):
            result.errors.append(record_error("comment is not an object", pointer, comment))
            continue
        if not comment.get("text"):
            deleted += 1
            continue
        postings = _postings(comment, ctx, pointer, thread_id)
        if not postings:
            skipped += 1
        result.postings.extend(postings)
    notes = []
    if skipped:
        notes.append(f"{skipped} top-level comments without a 'Company | Role | ...' first line were skipped")
    if deleted:
        notes.append(f"{deleted} deleted or empty comments")
    result.note = "; ".join(notes) or None
    return result
