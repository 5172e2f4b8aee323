"""The one polite HTTP client every source fetches through.

:class:`HttpClient` wraps :class:`httpx.Client` and adds: timeouts, retries with exponential backoff
and jitter on 429/5xx/timeouts (honouring ``Retry-After``; the sleep function is injectable), a
per-host rate limit, robots.txt checks for page scraping, an identifying User-Agent, conditional
requests (ETag / Last-Modified per URL; 304 → ``not_modified``), a response-size cap (streamed,
aborted when exceeded) and manual redirects limited to allowed hosts and a maximum count.
Every failure is a :class:`FetchError` with a readable message.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import random
import time
import urllib.robotparser
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from jobtrends.settings import Settings

__all__ = ["FetchError", "HttpClient", "Response"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_MAX_REDIRECTS = 5
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
MAX_RETRY_AFTER_S = 300.0
"""A server asking us to wait longer than this is treated as a failure (the run should not hang)."""


class FetchError(Exception):
    """A fetch that failed for good; ``kind`` is one of: http, timeout, network, too_large, redirect,
    robots, bad_payload, config."""

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


class HttpClient:
    """Polite HTTP for all connectors; use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        user_agent: str | None = None,
        timeout_s: float | None = None,
        max_retries: int | None = None,
        max_bytes: int | None = None,
        rate_per_host_s: float | None = None,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        allowed_hosts: set[str] | None = None,
        respect_robots: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        src: Any = settings if settings is not None else Settings  # class attributes hold the defaults
        self.settings = settings
        self.user_agent: str = user_agent or src.user_agent
        self.timeout_s: float = timeout_s if timeout_s is not None else src.http_timeout_s
        self.max_retries: int = max_retries if max_retries is not None else src.http_max_retries
        self.max_bytes: int = max_bytes if max_bytes is not None else src.http_max_bytes
        self.rate_per_host_s: float = (
            rate_per_host_s if rate_per_host_s is not None else src.http_rate_per_host_s
        )
        self.max_redirects = max_redirects
        self.allowed_hosts = {h.lower() for h in (allowed_hosts or set())}
        self.respect_robots = respect_robots
        self._sleep = sleep
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        """Wall clock for ``fetched_at`` (injectable so offline sample runs are reproducible)."""
        self._clock = clock
        self._jitter = jitter
        self._hosts: dict[str, _HostState] = {}
        self._scope: ConditionalScope | None = None
        self.requests_made = 0
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.timeout_s),
            follow_redirects=False,
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def conditional_scope(self, known: dict[str, dict[str, str]] | None = None) -> Iterator[ConditionalScope]:
        """Within the block, ``conditional=True`` requests send the ``known`` validators; new ones are collected."""
        previous = self._scope
        self._scope = ConditionalScope(known=dict(known or {}))
        try:
            yield self._scope
        finally:
            self._scope = previous

    # -- public API -----------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = False,
        check_robots: bool = False,
        allowed_hosts: set[str] | None = None,
        expect: str | None = None,
    ) -> Response:
        """GET ``url``; ``expect="json"`` fails with ``bad_payload`` unless the body parses as JSON."""
        return self.request(
            "GET",
            url,
            params=params,
            headers=headers,
            conditional=conditional,
            check_robots=check_robots,
            allowed_hosts=allowed_hosts,
            expect=expect,
        )

    def get_json(self, url: str, **kwargs: Any) -> tuple[Response, Any]:
        """GET and decode JSON (``bad_payload`` error for HTML, truncated or invalid bodies)."""
        resp = self.get(url, expect="json", **kwargs)
        return resp, (None if resp.not_modified else resp.json())

    def post_json(
        self, url: str, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> tuple[Response, Any]:
        resp = self.request("POST", url, json_body=body, headers=headers, expect="json")
        return resp, resp.json()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        conditional: bool = False,
        check_robots: bool = False,
        allowed_hosts: set[str] | None = None,
        expect: str | None = None,
    ) -> Response:
        if params:
            url = str(httpx.URL(url, params={k: v for k, v in params.items() if v is not None}))
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("config", f"not an http(s) URL: {url!r}", url=url)
        allowed = {_host(url)} | self.allowed_hosts | {h.lower() for h in (allowed_hosts or set())}
        req_headers = dict(headers or {})
        if conditional and self._scope is not None and url in self._scope.known:
            known = self._scope.known[url]
            if known.get("etag"):
                req_headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                req_headers["If-Modified-Since"] = known["last_modified"]
        original = url
        for _hop in range(self.max_redirects + 1):
            if check_robots and self.respect_robots:
                self._check_robots(url)
            resp = self._send_with_retries(method, url, req_headers, json_body)
            if resp.status in REDIRECT_STATUSES:
                location = resp.headers.get("location")
                if not location:
                    raise FetchError(
                        "redirect",
                        f"HTTP {resp.status} from {url} without a Location header",
                        resp.status,
                        url,
                    )
                target = urljoin(url, location)
                if _host(target) not in allowed:
                    raise FetchError(
                        "redirect",
                        f"{url} redirects to {target}, whose host {_host(target)!r} is not allowed "
                        f"(allowed: {', '.join(sorted(allowed))})",
                        resp.status,
                        url,
                    )
                if resp.status == 303:
                    method, json_body = "GET", None
                url = target
                continue
            break
        else:
            raise FetchError(
                "redirect",
                f"too many redirects (more than {self.max_redirects}) starting at {original}; last was {url}",
                resp.status,
                original,
            )
        if resp.status == 304:
            resp.not_modified = True
            return resp
        if resp.status >= 400:
            raise FetchError(
                "http",
                f"HTTP {resp.status} from {url}: {_snippet(resp.content) or '(empty body)'}",
                resp.status,
                url,
            )
        if expect == "json":
            self._check_json(resp)
        if conditional and self._scope is not None:
            validators = {
                k: v
                for k, v in (
                    ("etag", resp.headers.get("etag")),
                    ("last_modified", resp.headers.get("last-modified")),
                )
                if v
            }
            if validators:
                self._scope.seen[original] = validators
        return resp

    # -- internals ------------------------------------------------------------------------------
    @staticmethod
    def _check_json(resp: Response) -> None:
        body = resp.content.lstrip()
        ctype = (resp.content_type or "").lower()
        if body[:1] == b"<" or "html" in ctype and body[:1] not in (b"{", b"["):
            raise FetchError(
                "bad_payload",
                f"expected JSON from {resp.url} but got {ctype or 'no content type'}: {_snippet(body)!r}",
                resp.status,
                resp.url,
            )
        try:
            json.loads(resp.content)
        except ValueError as exc:
            raise FetchError(
                "bad_payload",
                f"invalid or truncated JSON from {resp.url} ({len(resp.content)} bytes): {exc}",
                resp.status,
                resp.url,
            ) from None

    def _wait_for_host(self, host: str) -> None:
        state = self._hosts.setdefault(host, _HostState())
        if state.last_request is not None and self.rate_per_host_s > 0:
            wait = state.last_request + self.rate_per_host_s - self._clock()
            if wait > 0:
                self._sleep(wait)
        state.last_request = self._clock()

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt) * (0.5 + self._jitter())

    def _send_with_retries(self, method: str, url: str, headers: dict[str, str], json_body: Any) -> Response:
        last_problem = ""
        status: int | None = None
        for attempt in range(self.max_retries + 1):
            self._wait_for_host(_host(url))
            try:
                resp = self._send_once(method, url, headers, json_body)
            except httpx.TimeoutException as exc:
                last_problem, status = f"timed out after {self.timeout_s:g}s ({type(exc).__name__})", None
                kind = "timeout"
                delay = self._backoff(attempt)
            except httpx.TransportError as exc:
                last_problem, status, kind = f"network error: {exc or type(exc).__name__}", None, "network"
                delay = self._backoff(attempt)
            else:
                if resp.status not in RETRY_STATUSES:
                    return resp
                status, kind = resp.status, "http"
                last_problem = f"HTTP {resp.status}"
                retry_after = _retry_after_s(resp.headers.get("retry-after"), self.now())
                if retry_after is not None:
                    last_problem += f" (Retry-After {retry_after:g}s)"
                    if retry_after > MAX_RETRY_AFTER_S:
                        raise FetchError(
                            "http",
                            f"{last_problem} from {url}: server asks to wait longer than "
                            f"{MAX_RETRY_AFTER_S:g}s; giving up for this run",
                            status,
                            url,
                        )
                    delay = max(retry_after, 0.0)
                else:
                    delay = self._backoff(attempt)
            if attempt < self.max_retries:
                self._sleep(delay)
        raise FetchError(
            kind,
            f"{last_problem} from {url}; gave up after {self.max_retries + 1} attempts",
            status,
            url,
        )

    def _send_once(self, method: str, url: str, headers: dict[str, str], json_body: Any) -> Response:
        self.requests_made += 1
        request = self._client.build_request(method, url, headers=headers, json=json_body)
        resp = self._client.send(request, stream=True)
        try:
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(
                    "too_large",
                    f"{url} declares {int(declared):,} bytes, over the {self.max_bytes:,}-byte cap",
                    resp.status_code,
                    url,
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(
                        "too_large",
                        f"{url} sent more than the {self.max_bytes:,}-byte cap; download aborted",
                        resp.status_code,
                        url,
                    )
                chunks.append(chunk)
            return Response(
                url=url,
                status=resp.status_code,
                headers=resp.headers,
                content=b"".join(chunks),
                fetched_at=self.now(),
            )
        finally:
            resp.close()

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        state = self._hosts.setdefault(host, _HostState())
        if not state.robots_checked:
            state.robots_checked = True
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = urllib.robotparser.RobotFileParser(robots_url)
            try:
                resp = self._send_with_retries("GET", robots_url, {}, None)
            except FetchError as exc:  # unreachable robots.txt (RFC 9309 §2.3.1.4): assume disallowed
                raise FetchError(
                    "robots",
                    f"cannot read {robots_url} ({exc.message}); not scraping {host}",
                    exc.http_status,
                    url,
                ) from None
            if resp.status >= 500:
                raise FetchError(
                    "robots",
                    f"{robots_url} answered HTTP {resp.status}; not scraping {host}",
                    resp.status,
                    url,
                )
            if 200 <= resp.status < 300:
                parser.parse(resp.content.decode("utf-8", errors="replace").splitlines())
                state.robots = parser
            # 3xx/4xx: no usable robots.txt → everything allowed (RFC 9309 §2.3.1.3)
        if state.robots is not None and not state.robots.can_fetch(self.user_agent, url):
            raise FetchError("robots", f"robots.txt of {host} disallows {url} for our user agent", None, url)
