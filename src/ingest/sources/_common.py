"""Helpers shared by the source modules: JSON decoding, dates, numbers, record errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.base import ParseContext, ParseResult, RecordError
from ingest.models import PayPeriod, Posting, utc

MAX_RECORD_CHARS = 4_000


def load_json(payload: bytes) -> tuple[Any, RecordError | None]:
    """Decode a JSON payload; a payload-level :class:`RecordError` instead of raising."""
    try:
        return json.loads(payload), None
    except (ValueError, UnicodeDecodeError) as exc:
        head = payload[:200].decode("utf-8", errors="replace")
        what = "HTML, not JSON" if head.lstrip().startswith("<") else "invalid or truncated JSON"
        return None, RecordError(reason=f"payload is {what}: {exc}", pointer="", record=head)


def payload_error(reason: str, payload: bytes | None = None) -> ParseResult:
    """A result with one payload-level error and no postings."""
    record = payload[:200].decode("utf-8", errors="replace") if payload else None
    return ParseResult(errors=[RecordError(reason=reason, pointer="", record=record)])


def record_text(record: Any) -> str:
    try:
        text = json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(record)
    return text[:MAX_RECORD_CHARS]


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (nested fields of a record are optional)."""
    return value if isinstance(value, dict) else {}


def ref(ctx: ParseContext, pointer: str) -> str:
    return f"{ctx.raw_ref}#{pointer}"


def text(value: Any) -> str | None:
    """A stripped string or ``None`` (numbers become strings)."""
    if value is None or isinstance(value, dict | list):
        return None
    s = str(value).strip()
    return s or None


def as_id(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def number(value: Any) -> float | None:
    """A positive number from a number or numeric string (``"120,000"``); 0/negative/garbage → ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        out = float(value)
    else:
        s = re.sub(r"[,\s_]", "", str(value))
        try:
            out = float(s)
        except ValueError:
            return None
    return out if out > 0 and out == out and out != float("inf") else None


_TZ_COLONLESS = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_datetime(value: Any) -> tuple[datetime | None, str | None]:
    """ISO 8601 string, date string, epoch seconds/milliseconds → (aware UTC datetime, precision)."""
    if value is None or isinstance(value, bool) or value == "":
        return None, None
    if isinstance(value, int | float):
        seconds = float(value) / 1000 if value > 10**11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC), "second"
        except (OverflowError, OSError, ValueError):
            return None, None
    s = str(value).strip()
    if s.isdigit():
        return parse_datetime(int(s))
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", s):
        y, m, d = (int(p) for p in s.split("-"))
        try:
            return datetime(y, m, d, tzinfo=UTC), "day"
        except ValueError:
            return None, None
    iso = s.replace("Z", "+00:00").replace(" ", "T", 1)
    iso = _TZ_COLONLESS.sub(r"\1:\2", iso)
    iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)  # more than microseconds (USAJOBS ".0000000")
    try:
        return utc(datetime.fromisoformat(iso)), "second"
    except ValueError:
        return None, None


def relative_posted(value: str | None, fetched_at: datetime) -> tuple[datetime | None, str | None]:
    """Workday-style ``Posted Today`` / ``Posted Yesterday`` / ``Posted 3 Days Ago`` / ``Posted 30+ Days Ago``."""
    if not value:
        return None, None
    s = value.strip().lower()
    day = datetime.combine(utc(fetched_at).date(), datetime.min.time(), UTC)
    if "today" in s or "just posted" in s:
        return day, "day"
    if "yesterday" in s:
        return day - timedelta(days=1), "day"
    m = re.search(r"(\d+)\s*(\+)?\s*(day|week|month)s?\s+ago", s)
    if not m:
        return None, None
    n = int(m.group(1)) * {"day": 1, "week": 7, "month": 30}[m.group(3)]
    approx = bool(m.group(2)) or m.group(3) != "day"
    return day - timedelta(days=n), "approx" if approx else "day"


PERIOD_WORDS: dict[str, PayPeriod] = {
    "hour": "hour",
    "hourly": "hour",
    "day": "day",
    "daily": "day",
    "week": "week",
    "weekly": "week",
    "month": "month",
    "monthly": "month",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "annum": "year",
}


def period_from(value: Any) -> PayPeriod | None:
    """Map a period word (``YEAR``, ``per-hour-wage``, ``1 MONTH``, ``Per Year``) to a canonical period."""
    s = text(value)
    if not s:
        return None
    for word in re.findall(r"[a-z]+", s.lower()):
        if word in PERIOD_WORDS:
            return PERIOD_WORDS[word]
    return None


def fmt_amount(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def pay_display(lo: float | None, hi: float | None, currency: str | None, period: str | None) -> str | None:
    if lo is None and hi is None:
        return None
    amount = fmt_amount(lo) if hi is None or lo == hi else f"{fmt_amount(lo)}-{fmt_amount(hi)}"
    if lo is None:
        amount = f"up to {fmt_amount(hi)}"
    parts = [amount, currency or "", f"per {period}" if period else ""]
    return " ".join(p for p in parts if p)


def work_mode_from(value: Any) -> str | None:
    s = (text(value) or "").lower().replace("-", "").replace(" ", "")
    if s in {"remote", "fullyremote", "telecommute"}:
        return "remote"
    if s == "hybrid":
        return "hybrid"
    if s in {"onsite", "inoffice", "office"}:
        return "onsite"
    return None


def record_error(reason: str, pointer: str, record: Any) -> RecordError:
    return RecordError(reason=reason, pointer=pointer, record=record_text(record))


#: What reading one record of an unexpected shape raises (a list where an object was, a number for a list).
RECORD_SHAPE_ERRORS = (TypeError, AttributeError, ValueError, KeyError, IndexError)


def add_posting(result: ParseResult, make: Callable[..., Posting], record: Any, *args: Any) -> None:
    """``result.postings.append(make(record, *args))``; a record whose shape breaks ``make`` becomes a
    record error with the reason instead (the contract: one bad record never fails the payload)."""
    pointer = next((a for a in args if isinstance(a, str)), "")
    try:
        result.postings.append(make(record, *args))
    except RECORD_SHAPE_ERRORS as exc:
        result.errors.append(
            record_error(f"record has an unexpected shape: {type(exc).__name__}: {exc}", pointer, record)
        )


def slug_from_url(url: Any, host_suffix: str) -> str | None:
    """The first path segment of ``url`` when its host ends with ``host_suffix`` (board slug)."""
    s = text(url)
    if not s:
        return None
    m = re.match(r"https?://([^/]+)/([^/?#]+)", s)
    if m and m.group(1).lower().endswith(host_suffix):
        return m.group(2)
    return None


def build(ctx: ParseContext, pointer: str, **fields: Any) -> Posting:
    """A :class:`Posting` with the bookkeeping fields (raw_ref, fetched_at, board) from ``ctx``."""
    fields.setdefault("board", ctx.board)
    if fields.get("company") is None:
        fields["company"] = ctx.company
    return Posting(raw_ref=ref(ctx, pointer), fetched_at=ctx.fetched_at, **fields)


def fetched(resp: Any, *, complete_listing: bool = False, ext: str = "json") -> Any:
    """A :class:`ingest.base.Fetched` from an :class:`ingest.http.Response`."""
    from ingest.base import Fetched

    return Fetched(
        payload=resp.content,
        url=resp.url,
        fetched_at=resp.fetched_at,
        content_type=resp.content_type,
        ext=ext,
        complete_listing=complete_listing,
        http_status=resp.status,
        not_modified=resp.not_modified,
    )


def require_board(spec: Any) -> str:
    from ingest.http import FetchError

    if not spec.board:
        raise FetchError("config", f"source {spec.name!r} ({spec.kind}) needs a board")
    return str(spec.board)


def parse_job_list(
    payload: bytes,
    ctx: ParseContext,
    *,
    key: str,
    posting: Callable[[dict[str, Any], ParseContext, str], Posting],
    not_a_feed: str,
    bad_record: str,
    empty_note: str,
) -> ParseResult:
    """Parse a JSON object whose ``key`` lists jobs with an ``id`` and a ``title`` (Ashby, Pinpoint,
    Remotive): one posting per good job, one error per bad one, a note when the list is empty."""
    data, err = load_json(payload)
    if err:
        return ParseResult(errors=[err])
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return ParseResult(errors=[record_error(not_a_feed, "", data)])
    result = ParseResult()
    for i, job in enumerate(data[key]):
        pointer = f"/{key}/{i}"
        if not isinstance(job, dict) or not text(job.get("title")) or as_id(job.get("id")) is None:
            result.errors.append(record_error(bad_record, pointer, job))
            continue
        add_posting(result, posting, job, ctx, pointer)
    if not data[key]:
        result.note = empty_note
    return result
