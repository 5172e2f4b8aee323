"""An ``httpx.MockTransport`` that serves one snapshot of the sample world at the real API URLs.

Routes (query strings in any order; unknown URLs → 404):

- ``boards-api.greenhouse.io`` (and ``api.greenhouse.io``) ``/v1/boards/{token}/jobs`` — the board,
  with descriptions when ``content=true``; ``/v1/boards/{token}/jobs/{id}`` — one open job;
- ``api.lever.co`` ``/v0/postings/{site}`` — JSON array (``skip`` / ``limit`` honoured);
- ``api.ashbyhq.com`` ``/posting-api/job-board/{board}`` — compensation when ``includeCompensation=true``;
- career hosts of the JSON-LD companies: ``/jobs/{id}`` (a closed or not yet published page of the
  world answers 200 with a "no longer available" page without JSON-LD), ``/`` an index of open jobs;
- ``remoteok.com`` (and ``remoteok.io``) ``/api``;
- ``/robots.txt`` on every host: everything allowed.

A board whose company has no open postings (or has not started yet) is an empty, valid board.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from jobtrends.sample import payloads as P

ROBOTS = b"User-agent: *\nAllow: /\n"
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in {"true", "1", "yes"}


class _Snapshot:
    """Open listings of one date, indexed by board, with payloads rendered on first request."""

    def __init__(self, world: Any, as_of: date) -> None:
        self.world = world
        self.as_of = as_of
        self.boards = P.board_listings(world, as_of)
        self.by_host = {c.host: c for c in world.companies if c.host}
        self.pages = {lst.url: lst for lst in world.listings(kind="jsonld")}
        self.cache: dict[tuple[Any, ...], bytes] = {}

    def _cached(self, key: tuple[Any, ...], make: Any) -> bytes:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host, path, q = url.host.lower(), url.path.rstrip("/") or "/", url.params
        parts = [p for p in path.split("/") if p]
        if path == "/robots.txt":
            return httpx.Response(200, content=ROBOTS, headers={"content-type": "text/plain; charset=utf-8"})
        if host in {"boards-api.greenhouse.io", "api.greenhouse.io"} and parts[:2] == ["v1", "boards"]:
            return self._greenhouse(parts[2:], q)
        if (
            host in {"api.lever.co", "api.eu.lever.co"}
            and parts[:2] == ["v0", "postings"]
            and len(parts) == 3
        ):
            lsts = self.boards.get(("lever", parts[2]))
            if lsts is None:
                return _not_found()
            skip, limit = int(q.get("skip") or 0), q.get("limit")
            chosen = lsts[skip : skip + int(limit)] if limit else lsts[skip:]
            body = self._cached(
                ("lever", parts[2], skip, limit),
                lambda: P.dumps([P.lever_posting(self.world, x) for x in chosen]),
            )
            return _ok(body, JSON)
        if host == "api.ashbyhq.com" and parts[:2] == ["posting-api", "job-board"] and len(parts) == 3:
            lsts = self.boards.get(("ashby", parts[2]))
            if lsts is None:
                return _not_found()
            comp = _truthy(q.get("includeCompensation"))
            body = self._cached(
                ("ashby", parts[2], comp), lambda: P.dumps(P.ashby_board(self.world, lsts, compensation=comp))
            )
            return _ok(body, JSON)
        if host in {"remoteok.com", "www.remoteok.com", "remoteok.io"} and path == "/api":
            lsts = self.boards[("remoteok", "")]
            return _ok(
                self._cached(("remoteok",), lambda: P.dumps(P.remoteok_feed(self.world, lsts, self.as_of))),
                JSON,
            )
        if host in self.by_host:
            return self._careers(host, path)
        return _not_found()

    def _greenhouse(self, rest: list[str], q: httpx.QueryParams) -> httpx.Response:
        if len(rest) < 2 or rest[1] != "jobs":
            return _not_found()
        lsts = self.boards.get(("greenhouse", rest[0]))
        if lsts is None:
            return _not_found()
        content = _truthy(q.get("content"))
        if len(rest) == 2:
            body = self._cached(
                ("gh", rest[0], content),
                lambda: P.dumps(P.greenhouse_board(self.world, lsts, content=content)),
            )
            return _ok(body, JSON)
        if len(rest) == 3:
            match = [lst for lst in lsts if lst.source_id == rest[2]]
            if match:
                return _ok(P.dumps(P.greenhouse_job(self.world, match[0], content=True)), JSON)
        return _not_found()

    def _careers(self, host: str, path: str) -> httpx.Response:
        company = self.by_host[host]
        if path in {"/", "/jobs"}:
            lsts = self.boards[("jsonld", company.board)]
            return _ok(P.careers_index(self.world, host, lsts).encode("utf-8"), HTML)
        lst = self.pages.get(f"https://{host}{path}")
        if lst is None:
            return _not_found()
        if not lst.open_on(self.as_of):
            return _ok(P.closed_page(host, path).encode("utf-8"), HTML)
        return _ok(self._cached(("page", path), lambda: P.jsonld_page(self.world, lst).encode("utf-8")), HTML)


def _ok(body: bytes, content_type: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": content_type})


def _not_found() -> httpx.Response:
    return httpx.Response(404, content=b'{"status":404,"error":"Not found"}', headers={"content-type": JSON})


def make_transport(world: Any, as_of: date) -> httpx.MockTransport:
    """The transport for the snapshot at ``as_of`` (payloads are rendered lazily and cached)."""
    snapshot = _Snapshot(world, as_of)
    return httpx.MockTransport(snapshot.handle)
