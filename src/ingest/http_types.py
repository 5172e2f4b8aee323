"""Types and pure helpers of :mod:`ingest.http`: the error, the response, request origins and the
``Retry-After`` reading, and Content-Encoding decoding that stops at the body cap (a gzip bomb stops there).

Re-exported by :mod:`ingest.http`; callers import from there.
"""

from __future__ import annotations

import email.utils
import json
import urllib.robotparser
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_MAX_REDIRECTS = 5
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
MAX_RETRY_AFTER_S = 300.0
"""A server asking us to wait longer than this is treated as a failure (the run should not hang)."""
SAFE_CROSS_ORIGIN_HEADERS = frozenset({"accept", "accept-language", "content-type"})
"""Caller headers still sent after a hop leaves the request's origin (everything else may be a secret)."""
DEFAULT_PORTS = {"http": 80, "https": 443}


class FetchError(Exception):
    """A fetch that failed for good; ``kind`` is one of: http, timeout, network, too_large, redirect,
    robots, bad_payload, config, blocked (an address the network policy refuses)."""

    def __init__(self, kind: str, message: str, http_status: int | None = None, url: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status
        self.url = url

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(slots=True)
class Response:
    """A finished response (body read, redirects resolved)."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    fetched_at: datetime
    not_modified: bool = False

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass
class _HostState:
    last_request: float | None = None
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_checked: bool = False


@dataclass
class ConditionalScope:
    """Validators known before a source's fetch, and the new ones seen (saved by the runner after landing)."""

    known: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: dict[str, dict[str, str]] = field(default_factory=dict)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _snippet(data: bytes, limit: int = 80) -> str:
    text = data[:limit].decode("utf-8", errors="replace")
    return " ".join(text.split())


def _retry_after_s(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


Origin = tuple[str, str, int]


def _origin(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme, 0)


def _origin_text(origin: Origin) -> str:
    scheme, host, port = origin
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + ("" if DEFAULT_PORTS.get(scheme) == port else f":{port}")


def _allowed_origins(entries: Iterable[str], scheme: str) -> set[Origin]:
    """``allowed_hosts`` entries: a full origin (``https://cdn.example.com:8443``) or a bare host, which
    means that host on the request's scheme and its default port."""
    out: set[Origin] = set()
    for entry in entries:
        entry = entry.strip().lower()
        if not entry:
            continue
        out.add(_origin(entry) if "://" in entry else (scheme, entry, DEFAULT_PORTS.get(scheme, 0)))
    return out


class _Inflater:
    """Content-Encoding decoding that never produces more than the cap (a gzip bomb stops there)."""

    def __init__(self, encoding: str | None, url: str) -> None:
        enc = (encoding or "").strip().lower()
        self.url = url
        self.mode = {"": None, "identity": None, "gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}.get(
            enc, "unsupported"
        )
        if self.mode == "unsupported":
            raise FetchError("bad_payload", f"{url} sent an unsupported Content-Encoding {enc!r}", None, url)
        self._first = True
        self._d = self._new()

    def _new(self, raw_deflate: bool = False) -> Any:
        if self.mode == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of ``data``, at most ``room + 1`` of them (more than ``room`` means over the cap)."""
        if self.mode is None:
            return data
        out: list[bytes] = []
        produced = 0
        try:
            while data:
                try:
                    chunk = self._d.decompress(data, room + 1 - produced)
                except zlib.error:
                    if not (self._first and self.mode == "deflate"):
                        raise
                    self._d = self._new(raw_deflate=True)  # "deflate" sent without the zlib header
                    chunk = self._d.decompress(data, room + 1 - produced)
                self._first = False
                out.append(chunk)
                produced += len(chunk)
                if produced > room:
                    break
                if self._d.eof and self._d.unused_data and self.mode == "gzip":
                    data = self._d.unused_data  # a multi-member gzip body
                    self._d = self._new()
                    continue
                data = self._d.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(
                "bad_payload", f"corrupt {self.mode} body from {self.url}: {exc}", None, self.url
            ) from None
        return b"".join(out)

    def finish(self) -> bytes:
        if self.mode is None:
            return b""
        try:
            return self._d.flush()
        except zlib.error as exc:
            raise FetchError(
                "bad_payload", f"corrupt {self.mode} body from {self.url}: {exc}", None, self.url
            ) from None
