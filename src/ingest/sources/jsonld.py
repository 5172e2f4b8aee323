"""Any career page with schema.org ``JobPosting`` JSON-LD (also inside ``@graph`` and lists).

``fetch`` GETs the configured page URLs (``params.urls``, or ``board`` as one URL) after checking
robots.txt. ``parse`` reads every ``application/ld+json`` block with BeautifulSoup; a page without a
JobPosting gives no postings and a note. Phenom career sites that embed their search results as
``phApp.ddo`` (no JSON-LD) are read from that embedded data instead.
"""

from __future__ import annotations

import hashlib
import html as _html
import json
import re
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup, SoupStrainer

from ingest.base import (
    Cursor,
    Fetched,
    ParseContext,
    ParseResult,
    RecordError,
    SourceSpec,
    keep_cursor,
    no_parse_options,
)
from ingest.html import clean_line, html_to_text
from ingest.http import FetchError, HttpClient
from ingest.models import Posting
from ingest.sources._common import (
    add_posting,
    as_id,
    build,
    fetched,
    number,
    parse_datetime,
    pay_display,
    period_from,
    record_error,
    text,
)

KIND = "jsonld"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills text fields
parse_options = no_parse_options
next_cursor = keep_cursor
MAX_DEPTH = 8
_PLACEHOLDERS = {"unavailable", "n/a", "na", "none", "null", "-"}
_PHENOM_RE = re.compile(r"phApp\.ddo\s*=\s*")


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    urls = list(spec.params.get("urls") or ([spec.board] if spec.board else []))
    if not urls:
        raise FetchError("config", f"jsonld source {spec.name!r} needs params.urls (career page URLs)")
    allowed = set(spec.params.get("allowed_hosts") or [])
    out = []
    for url in urls:
        resp = client.get(str(url), check_robots=True, allowed_hosts=allowed, conditional=True)
        out.append(fetched(resp, ext="html"))
    return out


def _decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        m = re.search(rb"charset=[\"']?([\w-]+)", payload[:4096])
        try:
            return payload.decode(m.group(1).decode() if m else "cp1252", errors="replace")
        except LookupError:
            return payload.decode("cp1252", errors="replace")


def _load_block(raw: str) -> Any:
    s = raw.strip()
    s = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", s).strip()
    s = re.sub(r"^<!--|-->$", "", s).strip().rstrip(";")
    try:
        return json.loads(s, strict=False)
    except ValueError:
        return json.loads(_html.unescape(s), strict=False)


def _is_job(node: dict[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).split("/")[-1] == "JobPosting" for k in kinds)


def iter_jobpostings(data: Any, pointer: str = "", depth: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JobPosting node with its JSON pointer (lists, ``@graph``, nested objects)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield from iter_jobpostings(item, f"{pointer}/{i}", depth + 1)
    elif isinstance(data, dict):
        if _is_job(data):
            yield pointer, data
            return
        for key, value in data.items():
            if isinstance(value, dict | list):
                yield from iter_jobpostings(value, f"{pointer}/{key}", depth + 1)


def _clean(value: Any) -> str | None:
    s = text(value)
    return None if s is None or s.lower() in _PLACEHOLDERS else s


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return _clean(value.get("name"))
    if isinstance(value, list):
        return next((n for n in (_name(v) for v in value) if n), None)
    return _clean(value)


def _location(job: dict[str, Any]) -> tuple[str | None, str | None]:
    places = job.get("jobLocation")
    places = places if isinstance(places, list) else [places]
    labels, countries = [], []
    for place in places:
        if not isinstance(place, dict):
            continue
        address = place.get("address")
        if isinstance(address, dict):
            country = _name(address.get("addressCountry"))
            parts = [_clean(address.get("addressLocality")), _clean(address.get("addressRegion")), country]
            label: str | None = ", ".join(p for p in parts if p)
            countries.append(country)
        else:
            label = _clean(address) or _name(place)
        if label:
            labels.append(label)
    code = countries[0] if countries and countries[0] and len(countries[0]) == 2 else None
    return "; ".join(dict.fromkeys(labels)) or None, code.upper() if code else None


def _salary(job: dict[str, Any]) -> dict[str, Any]:
    amount = job.get("baseSalary") or job.get("estimatedSalary")
    if isinstance(amount, list):
        amount = amount[0] if amount else None
    if not isinstance(amount, dict):
        lo = number(amount)
        return {"pay_min": lo, "pay_max": lo, "pay_currency": _clean(job.get("salaryCurrency"))} if lo else {}
    currency = _clean(amount.get("currency")) or _clean(job.get("salaryCurrency"))
    value = amount.get("value")
    if isinstance(value, dict):
        lo, hi = number(value.get("minValue")), number(value.get("maxValue"))
        single = number(value.get("value"))
        unit = value.get("unitText") or amount.get("unitText")
    else:
        lo = hi = None
        single, unit = number(value), amount.get("unitText")
    if lo is None and hi is None and single is not None:
        lo = hi = single
    if lo is None and hi is None:
        return {}
    period = period_from(unit)
    return {
        "pay_min": lo,
        "pay_max": hi,
        "pay_currency": currency,
        "pay_period": period,
        "pay_text": pay_display(lo, hi, currency, period),
    }


def _identifier(job: dict[str, Any]) -> str | None:
    ident = job.get("identifier")
    if isinstance(ident, list):
        ident = ident[0] if ident else None
    if isinstance(ident, dict):
        return as_id(ident.get("value")) or as_id(ident.get("@id"))
    return as_id(ident)


def _posting(job: dict[str, Any], ctx: ParseContext, pointer: str) -> Posting:
    url = _html.unescape(text(job.get("url")) or "") or ctx.url
    source_id = _identifier(job) or url
    if not source_id:
        seed = f"{ctx.raw_ref}|{job.get('title')}|{pointer}"
        source_id = "sha1:" + hashlib.sha1(seed.encode("utf-8", "replace")).hexdigest()[:16]
    posted_at, precision = parse_datetime(job.get("datePosted"))
    if posted_at is None and isinstance(job.get("datePosted"), str):  # "2025-8-26"
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", job["datePosted"].strip())
        if m:
            posted_at, precision = parse_datetime("-".join(m.groups()))
    description = html_to_text(text(job.get("description")))
    for extra_key in ("responsibilities", "qualifications", "skills", "jobBenefits"):
        extra_text = html_to_text(_clean(job.get(extra_key)))
        if extra_text and extra_text not in (description or ""):
            description = f"{description}\n\n{extra_text}" if description else extra_text
    location_text, country = _location(job)
    location_type = str(job.get("jobLocationType") or "").upper()
    remote = True if "TELECOMMUTE" in location_type else None
    employment = job.get("employmentType")
    employment = ", ".join(str(e) for e in employment) if isinstance(employment, list) else text(employment)
    return build(
        ctx,
        pointer,
        source=KIND,
        source_id=source_id,
        title=clean_line(job.get("title")) or "",
        company=clean_line(_name(job.get("hiringOrganization"))),
        url=url or None,
        location_text=clean_line(location_text),
        country=country,
        remote=remote,
        work_mode="remote" if remote and not location_text else None,
        employment_type=employment,
        description=description,
        posted_at=posted_at,
        posted_at_precision=precision,
        extra={
            k: v
            for k, v in {
                "valid_through": _clean(job.get("validThrough")),
                "applicant_location": _name(job.get("applicantLocationRequirements")),
                "job_location_type": _clean(job.get("jobLocationType")),
            }.items()
            if v
        },
        **_salary(job),
    )


def _phenom(page: str, ctx: ParseContext) -> ParseResult | None:
    m = _PHENOM_RE.search(page)
    if not m:
        return None
    try:
        ddo, _ = json.JSONDecoder().raw_decode(page, m.end())
    except ValueError:
        return None
    search = (ddo.get("eagerLoadRefineSearch") or {}) if isinstance(ddo, dict) else {}
    jobs = (search.get("data") or {}).get("jobs") if isinstance(search.get("data"), dict) else None
    if not isinstance(jobs, list):
        return None
    result = ParseResult(
        note=f"no schema.org JobPosting; read {len(jobs)} of {search.get('totalHits')} jobs from embedded Phenom search data"
    )
    for i, job in enumerate(jobs):
        pointer = f"phApp.ddo/eagerLoadRefineSearch/data/jobs/{i}"
        if (
            not isinstance(job, dict)
            or not text(job.get("title"))
            or not as_id(job.get("jobId") or job.get("reqId"))
        ):
            result.errors.append(record_error("Phenom job without id or title", pointer, job))
            continue
        posted_at, precision = parse_datetime(job.get("postedDate") or job.get("dateCreated"))
        result.postings.append(
            build(
                ctx,
                pointer,
                source=KIND,
                source_id=as_id(job.get("jobId") or job.get("reqId")) or "",
                title=clean_line(job.get("title")) or "",
                company=ctx.company or clean_line(job.get("companyName")),
                url=text(job.get("applyUrl")) or ctx.url,
                location_text=clean_line(job.get("location") or job.get("cityStateCountry")),
                employment_type=text(job.get("type")),
                description=html_to_text(text(job.get("descriptionTeaser"))),
                posted_at=posted_at,
                posted_at_precision=precision,
                extra={k: v for k, v in {"category": text(job.get("category")), "phenom": True}.items() if v},
            )
        )
    return result


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    page = _decode(payload)
    soup = BeautifulSoup(page, "lxml", parse_only=SoupStrainer("script"))
    result = ParseResult()
    blocks = 0
    for k, script in enumerate(soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)})):
        blocks += 1
        raw = script.string if script.string is not None else script.get_text()
        try:
            data = _load_block(raw or "")
        except ValueError as exc:
            result.errors.append(
                RecordError(
                    reason=f"invalid JSON-LD block: {exc}", pointer=f"ld+json/{k}", record=(raw or "")[:4000]
                )
            )
            continue
        for pointer, job in iter_jobpostings(data, f"ld+json/{k}"):
            if not text(job.get("title")):
                result.errors.append(record_error("JobPosting without a title", pointer, job))
                continue
            add_posting(result, _posting, job, ctx, pointer)
    if not result.postings and not result.errors:
        embedded = _phenom(page, ctx)
        if embedded is not None:
            return embedded
        result.note = (
            f"page has no schema.org JobPosting data ({blocks} JSON-LD blocks of other types)"
            if blocks
            else "page has no schema.org JobPosting data (no JSON-LD blocks)"
        )
    return result
