"""The one polite HTTP client every source fetches through.

:class:`HttpClient` wraps :class:`httpx.Client` and adds: timeouts, retries with exponential backoff
and jitter on 429/5xx/timeouts (honouring ``Retry-After``; the sleep function is injectable), a
per-host rate limit, robots.txt checks for page scraping, an identifying User-Agent, conditional
requests (ETag / Last-Modified per URL; 304 → ``not_modified``), a response-size cap (streamed,
aborted when exceeded) and manual redirects limited to allowed hosts and a maximum count.
Every failure is a :class:`FetchError` with a readable message.

The network policy (what a hostile or broken server, or a link in a payload, must not make us do):

- redirects go only to an allowed origin (scheme + host + port: the request's own, or one listed in
  ``allowed_hosts``); never from https to http;
- on any hop that leaves the request's origin, the caller's headers (API keys, ``Authorization``) and
  cookies are dropped, and they stay dropped for the rest of the chain;
- connections to loopback, private, link-local (cloud metadata 169.254.169.254), multicast and other
  non-global addresses are refused: the host is resolved at connect time, every address it resolves to
  is checked, and the socket connects to the checked address (no second lookup to rebind), unless
  ``allow_private`` (:attr:`HttpConfig.allow_private`) lists the address (``IP``, ``IP:PORT`` or a CIDR);
- ``stay_on`` keeps a URL taken from a payload (a next-page link) on the source's origin;
- one deadline per request covers every attempt, backoff and ``Retry-After`` wait, and every socket
  read (a server that trickles a byte every few seconds is cut off at the deadline);
- the body cap applies to the bytes received and to the decompressed size (a gzip bomb stops at the cap).

Module map (all re-exported here): :mod:`ingest.http_types` holds the error, the response, origins and
body decoding; :mod:`ingest.http_guard` holds the address policy, the guarded transport and the deadline on
every socket operation; this module holds :class:`HttpClient` (retries, rate limit, redirects, robots, caps).
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from ingest.http_config import HttpConfig
from ingest.http_guard import (
    _DEADLINE,
    AddressPolicy,
    AddressRefused,
    GuardedBackend,
    Resolver,
    address_problem,
    guarded_transport,
)
from ingest.http_types import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_PORTS,
    MAX_RETRY_AFTER_S,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    SAFE_CROSS_ORIGIN_HEADERS,
    ConditionalScope,
    FetchError,
    Origin,
    Response,
    _allowed_origins,
    _host,
    _HostState,
    _Inflater,
    _origin,
    _origin_text,
    _retry_after_s,
    _snippet,
)

__all__ = [
    "DEFAULT_PORTS",
    "AddressPolicy",
    "ConditionalScope",
    "FetchError",
    "GuardedBackend",
    "HttpClient",
    "HttpConfig",
    "Response",
    "address_problem",
    "guarded_transport",
]


class HttpClient:
    """Polite HTTP for all connectors; use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        config: HttpConfig | None = None,
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
        deadline_s: float | None = None,
        allow_private: Iterable[str] | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        cfg = config if config is not None else HttpConfig()
        self.config = cfg
        """What the client was built with (sources read their ``credentials`` from it)."""
        self.user_agent: str = user_agent or cfg.user_agent
        self.timeout_s: float = timeout_s if timeout_s is not None else cfg.timeout_s
        self.max_retries: int = max_retries if max_retries is not None else cfg.max_retries
        self.max_bytes: int = max_bytes if max_bytes is not None else cfg.max_bytes
        self.rate_per_host_s: float = rate_per_host_s if rate_per_host_s is not None else cfg.rate_per_host_s
        self.deadline_s: float = deadline_s if deadline_s is not None else cfg.deadline_s
        """Seconds one request may take in all: every attempt, backoff and Retry-After wait."""
        self.policy = AddressPolicy.parse(allow_private if allow_private is not None else cfg.allow_private)
        if (
            transport is None
        ):  # the real network: through the address policy (an injected transport is offline)
            transport = guarded_transport(self.policy, resolve or socket.getaddrinfo)
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
        stay_on: str | None = None,
    ) -> Response:
        """GET ``url``; ``expect="json"`` fails with ``bad_payload`` unless the body parses as JSON.
        ``stay_on``: a URL taken from a payload must be on this URL's origin (``bad_payload`` otherwise)."""
        return self.request(
            "GET",
            url,
            params=params,
            headers=headers,
            conditional=conditional,
            check_robots=check_robots,
            allowed_hosts=allowed_hosts,
            expect=expect,
            stay_on=stay_on,
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
        stay_on: str | None = None,
    ) -> Response:
        if params:
            url = str(httpx.URL(url, params={k: v for k, v in params.items() if v is not None}))
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("config", f"not an http(s) URL: {url!r}", url=url)
        home = _origin(url)
        if stay_on is not None and home != _origin(stay_on):
            raise FetchError(
                "bad_payload",
                f"a link in the payload leads to {_origin_text(home)}, off the source's "
                f"{_origin_text(_origin(stay_on))}; not following {url}",
                url=url,
            )
        allowed = {home} | _allowed_origins(self.allowed_hosts | set(allowed_hosts or ()), home[0])
        req_headers = dict(headers or {})
        if conditional and self._scope is not None and url in self._scope.known:
            known = self._scope.known[url]
            if known.get("etag"):
                req_headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                req_headers["If-Modified-Since"] = known["last_modified"]
        deadline = self._clock() + self.deadline_s
        original = url
        cross_origin = False
        for _hop in range(self.max_redirects + 1):
            if check_robots and self.respect_robots:
                self._check_robots(url, deadline)
            resp = self._send_with_retries(method, url, req_headers, json_body, deadline, cross_origin)
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
                self._check_redirect(url, target, allowed, resp.status)
                if _origin(target) != home and not cross_origin:
                    # credentials were meant for the first origin only: drop them for the rest of the chain
                    cross_origin = True
                    req_headers = {
                        k: v for k, v in req_headers.items() if k.lower() in SAFE_CROSS_ORIGIN_HEADERS
                    }
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
    def _check_redirect(url: str, target: str, allowed: set[Origin], status: int) -> None:
        here, there = _origin(url), _origin(target)
        if there[0] not in ("http", "https"):
            raise FetchError("redirect", f"{url} redirects to a non-http URL {target!r}", status, url)
        if here[0] == "https" and there[0] == "http":
            raise FetchError(
                "redirect", f"{url} redirects from https to plain http ({target}); refused", status, url
            )
        upgrade = here[0] == "http" and there == ("https", here[1], 443)  # same host, now encrypted
        if there not in allowed and not upgrade:
            raise FetchError(
                "redirect",
                f"{url} redirects to {target}, whose origin {_origin_text(there)} is not allowed "
                f"(allowed: {', '.join(sorted(_origin_text(o) for o in allowed))})",
                status,
                url,
            )

    def _past_deadline(self, deadline: float, url: str, problem: str, kind: str = "timeout") -> FetchError:
        return FetchError(
            kind,
            f"{problem} from {url}; gave up: the request's {self.deadline_s:g}s deadline is reached",
            None,
            url,
        )

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

    def _wait_for_host(self, host: str, deadline: float, url: str) -> None:
        state = self._hosts.setdefault(host, _HostState())
        if state.last_request is not None and self.rate_per_host_s > 0:
            wait = state.last_request + self.rate_per_host_s - self._clock()
            if wait > 0:
                if self._clock() + wait >= deadline:
                    raise self._past_deadline(deadline, url, "waiting for the per-host rate limit")
                self._sleep(wait)
        state.last_request = self._clock()

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt) * (0.5 + self._jitter())

    def _send_with_retries(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: Any,
        deadline: float,
        cross_origin: bool = False,
    ) -> Response:
        last_problem = ""
        status: int | None = None
        for attempt in range(self.max_retries + 1):
            self._wait_for_host(_host(url), deadline, url)
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise self._past_deadline(deadline, url, last_problem or "no answer yet")
            try:
                resp = self._send_once(method, url, headers, json_body, remaining, cross_origin)
            except httpx.TimeoutException as exc:
                if deadline - self._clock() <= 0.05:  # cut off by the deadline itself (a trickle, say)
                    raise self._past_deadline(
                        deadline, url, f"no complete answer ({type(exc).__name__})"
                    ) from None
                timeout = min(self.timeout_s, remaining)
                last_problem, status = f"timed out after {timeout:.3g}s ({type(exc).__name__})", None
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
                if self._clock() + delay >= deadline:
                    err = self._past_deadline(
                        deadline, url, f"{last_problem}; the next try would come after it", kind
                    )
                    err.http_status = status
                    raise err
                self._sleep(delay)
        raise FetchError(
            kind,
            f"{last_problem} from {url}; gave up after {self.max_retries + 1} attempts",
            status,
            url,
        )

    def _send_once(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: Any,
        remaining: float | None = None,
        cross_origin: bool = False,
    ) -> Response:
        self.requests_made += 1
        limit = self.timeout_s if remaining is None else min(self.timeout_s, remaining)
        request = self._client.build_request(
            method, url, headers=headers, json=json_body, timeout=httpx.Timeout(limit)
        )
        if cross_origin:
            request.headers.pop("cookie", None)
        # each socket operation waits at most `limit`; all of them together end at the overall deadline
        token = _DEADLINE.set(time.monotonic() + remaining if remaining is not None else None)
        try:
            try:
                resp = self._client.send(request, stream=True)
            except AddressRefused as exc:
                raise FetchError("blocked", str(exc), None, url) from None
            try:
                return Response(
                    url=url,
                    status=resp.status_code,
                    headers=resp.headers,
                    content=self._read_body(resp, url),
                    fetched_at=self.now(),
                )
            finally:
                resp.close()
        finally:
            _DEADLINE.reset(token)

    def _read_body(self, resp: httpx.Response, url: str) -> bytes:
        """The body, decoded, within the cap on both the bytes received and the decoded size."""
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                "too_large",
                f"{url} declares {int(declared):,} bytes, over the {self.max_bytes:,}-byte cap",
                resp.status_code,
                url,
            )
        if resp.is_stream_consumed:  # an in-process response built from bytes (MockTransport, respx)
            if len(resp.content) > self.max_bytes:
                raise FetchError(
                    "too_large",
                    f"{url} sent more than the {self.max_bytes:,}-byte cap; download aborted",
                    resp.status_code,
                    url,
                )
            return resp.content
        inflater = _Inflater(resp.headers.get("content-encoding"), url)
        chunks: list[bytes] = []
        received = size = 0
        for raw in resp.iter_raw():
            received += len(raw)
            if received > self.max_bytes:
                raise FetchError(
                    "too_large",
                    f"{url} sent more than the {self.max_bytes:,}-byte cap; download aborted",
                    resp.status_code,
                    url,
                )
            chunk = inflater.feed(raw, self.max_bytes - size)
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(
                    "too_large",
                    f"{url} decompresses to more than the {self.max_bytes:,}-byte cap "
                    f"(from {received:,} bytes received); download aborted",
                    resp.status_code,
                    url,
                )
            chunks.append(chunk)
        tail = inflater.finish()
        if size + len(tail) > self.max_bytes:
            raise FetchError(
                "too_large",
                f"{url} decompresses to more than the {self.max_bytes:,}-byte cap",
                resp.status_code,
                url,
            )
        chunks.append(tail)
        return b"".join(chunks)

    def _check_robots(self, url: str, deadline: float | None = None) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        state = self._hosts.setdefault(host, _HostState())
        if not state.robots_checked:
            state.robots_checked = True
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = urllib.robotparser.RobotFileParser(robots_url)
            try:
                resp = self._send_with_retries(
                    "GET",
                    robots_url,
                    {},
                    None,
                    deadline if deadline is not None else self._clock() + self.deadline_s,
                )
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
