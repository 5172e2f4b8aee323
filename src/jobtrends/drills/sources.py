"""Source-failure drill: one healthy source and a matrix of broken ones against a loopback HTTP server.

Every case is a RemoteOK-shaped source whose URL points at a route of an in-process server on
127.0.0.1 (bounded: it stops when the drill ends, and its slow handlers watch for that). The address
policy allows exactly that server's ``host:port``; a second loopback server on another port stands for
an internal service and must never be reached. The drill runs the real path — ``pipeline.ingest``
(isolated fetches, run records) then ``pipeline.load`` (``ops.source_runs``, raw) — and asserts:

- the healthy sources (and the one that recovers after a 429 with ``Retry-After``) land every posting
  they served: records lost = 0;
- every broken source is recorded in ``ops.source_runs`` as failed, with a reason of the expected kind;
- no source runs past its request deadline (plus a small allowance for landing and parsing);
- the internal server got no request.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ingest.base import SourceSpec
from jobtrends import pipeline, warehouse
from jobtrends.drills.loopback import LoopbackServer, Request
from jobtrends.settings import load_settings

RUN_DATE = date(2026, 12, 1)
JSON = {"Content-Type": "application/json"}
OVERRUN_ALLOWANCE_S = 3.0
"""Time a source may take beyond its request deadline: landing, parsing, the run record."""


@dataclass(frozen=True)
class Case:
    name: str
    route: Callable[[Request], None]
    expect: str
    """``ok``, or the failure kind its error must start with (``timeout``, ``too_large`` ...)."""
    postings: int = 0
    """Postings the case serves when it works (they must all land)."""
    prefix: str = ""
    """The prefix of those postings' ids."""


def _jobs(prefix: str, n: int) -> bytes:
    legal = {"legal": "drill feed"}
    jobs = [
        {
            "id": f"{prefix}-{i}",
            "position": f"Machine Learning Engineer {i}",
            "company": f"Drill Co {prefix}",
            "location": "Remote",
            "date": "2026-11-20T10:00:00+00:00",
            "description": "<p>PyTorch and Kubernetes.</p>",
            "url": f"https://remoteok.com/remote-jobs/{prefix}-{i}",
        }
        for i in range(n)
    ]
    return json.dumps([legal, *jobs]).encode()


def _gzip_bomb(decompressed_mb: int) -> bytes:
    """Zeros that gzip ~1000:1: ``decompressed_mb`` MB on inflation, about as many KB on the wire."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * 1_048_576
    return b"".join([*(comp.compress(block) for _ in range(decompressed_mb)), comp.flush()])


def build_cases(quick: bool, internal: LoopbackServer) -> tuple[list[Case], dict[str, float]]:
    trickle_every = 1.0 if quick else 3.0
    knobs = {
        "deadline_s": 3.0 if quick else 8.0,
        "timeout_s": 1.5 if quick else 4.0,
        "max_bytes": 2_000_000,
    }
    bomb = _gzip_bomb(100 if quick else 1000)
    healthy = _jobs("healthy", 40)
    recovered = _jobs("recovered", 25)
    throttled: dict[str, int] = {"hits": 0}

    def ok(body: bytes) -> Callable[[Request], None]:
        return lambda r: r.send(200, body, JSON)

    def rate_limited(r: Request) -> None:
        throttled["hits"] += 1
        if throttled["hits"] == 1:
            r.send(429, b'{"error": "slow down"}', {**JSON, "Retry-After": "1"})
        else:
            r.send(200, recovered, JSON)

    def server_error(r: Request) -> None:
        r.send(503, b"<html>upstream unavailable</html>", {"Content-Type": "text/html"})

    def hang(r: Request) -> None:
        r.server.stopping.wait(60)  # never answers within the timeout

    def trickle(r: Request) -> None:
        r.send(200, headers={**JSON, "Content-Length": "100000"}, length=False)
        r.write(b"[")
        while not r.server.stopping.wait(trickle_every):
            if not r.write(b" "):
                return

    def gzip_bomb(r: Request) -> None:
        r.send(200, bomb, {**JSON, "Content-Encoding": "gzip"})

    def truncated(r: Request) -> None:
        r.send(200, healthy[: len(healthy) // 2], JSON)

    def html(r: Request) -> None:
        r.send(200, b"<!doctype html><html><body>Jobs</body></html>", {"Content-Type": "text/html"})

    def loop(r: Request) -> None:
        r.send(302, headers={"Location": "/redirect-loop?again=1"})

    def to_internal(r: Request) -> None:
        r.send(302, headers={"Location": internal.url("/secret")})

    def to_metadata(r: Request) -> None:
        r.send(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    def oversized(r: Request) -> None:
        r.send(200, headers=JSON, length=False)
        chunk = b" " * 65536
        for _ in range(int(knobs["max_bytes"]) // len(chunk) + 10):
            if r.server.stopping.is_set() or not r.write(chunk):
                return

    def gzip_ok(r: Request) -> None:
        r.send(200, gzip.compress(_jobs("gzipped", 15)), {**JSON, "Content-Encoding": "gzip"})

    cases = [
        Case("healthy", ok(healthy), "ok", 40, "healthy"),
        Case("healthy-gzip", gzip_ok, "ok", 15, "gzipped"),
        Case("429-retry-after", rate_limited, "ok", 25, "recovered"),
        Case("5xx", server_error, "http"),
        Case("timeout", hang, "timeout"),
        Case("trickle", trickle, "timeout"),
        Case("gzip-bomb", gzip_bomb, "too_large"),
        Case("truncated-json", truncated, "bad_payload"),
        Case("html-for-json", html, "bad_payload"),
        Case("redirect-loop", loop, "redirect"),
        Case("redirect-to-loopback", to_internal, "redirect"),
        Case("redirect-to-metadata", to_metadata, "redirect"),
        Case("oversized", oversized, "too_large"),
    ]
    return cases, knobs


def run(quick: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="jobtrends-drill-sources-") as tmp,
        LoopbackServer({"/secret": lambda r: r.send(200, b'{"secret": true}', JSON)}) as internal,
        LoopbackServer() as server,
    ):
        cases, knobs = build_cases(quick, internal)
        for case in cases:
            server.routes["/" + case.name] = case.route
        settings = load_settings(Path(tmp) / "data").with_overrides(
            http_allow_private=(f"{server.host}:{server.port}",),
            http_deadline_s=knobs["deadline_s"],
            http_timeout_s=knobs["timeout_s"],
            http_max_bytes=int(knobs["max_bytes"]),
            http_max_retries=3,
            http_rate_per_host_s=0.0,
        )
        specs = [
            SourceSpec(kind="remoteok", name=f"drill:{c.name}", params={"url": server.url("/" + c.name)})
            for c in cases
        ]
        ingest_started = time.perf_counter()
        summary = pipeline.ingest(settings, RUN_DATE, sources=specs)
        ingest_s = time.perf_counter() - ingest_started
        pipeline.load(settings)
        requests_served = len(server.log)
        internal_hits = len(internal.log)
        with warehouse.connect(settings.warehouse_path, read_only=True) as con:
            runs = {
                row[0]: row[1:]
                for row in con.execute(
                    "select source_name, status, error, started_at, finished_at from ops.source_runs"
                ).fetchall()
            }
            landed = dict(
                con.execute(
                    "select split_part(source_id, '-', 1), count(*) from raw.postings group by 1"
                ).fetchall()
            )
    figures = _check(cases, knobs, summary, runs, landed, internal_hits)
    figures.update(
        cases_served=len(cases),
        requests_served=requests_served,
        ingest_seconds=round(ingest_s, 1),
        seconds=round(time.perf_counter() - started, 1),
    )
    return figures


def _check(
    cases: list[Case],
    knobs: dict[str, float],
    summary: dict[str, Any],
    runs: dict[str, tuple[Any, ...]],
    landed: dict[str, int],
    internal_hits: int,
) -> dict[str, Any]:
    assert internal_hits == 0, f"the internal loopback server was reached {internal_hits} time(s)"
    assert summary["sources"] == len(cases), summary
    lost = 0
    failures = 0
    longest = 0.0
    for case in cases:
        name = f"drill:{case.name}"
        assert name in runs, f"{name}: no row in ops.source_runs"
        status, error, started_at, finished_at = runs[name]
        took = (_dt(finished_at) - _dt(started_at)).total_seconds()
        longest = max(longest, took)
        assert took <= knobs["deadline_s"] + OVERRUN_ALLOWANCE_S, (
            f"{name} ran {took:.1f}s, past its {knobs['deadline_s']:g}s deadline"
        )
        if case.expect == "ok":
            assert status == "ok", f"{name}: expected to land, got {status}: {error}"
            # max(0, ...): a source landing more than it served must not hide another's loss
            lost += max(0, case.postings - landed.get(case.prefix, 0))
        else:
            failures += 1
            assert status == "failed", f"{name}: expected a failure, got {status}"
            assert error and str(error).startswith(case.expect + ":"), (
                f"{name}: expected a {case.expect} error, got {error!r}"
            )
    assert lost == 0, f"{lost} posting(s) served by working sources did not land"
    return {
        "failures_recorded": failures,
        "sources_landed": len(cases) - failures,
        "records_lost": lost,
        "deadline_s": knobs["deadline_s"],
        "longest_source_s": round(longest, 1),
    }


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
