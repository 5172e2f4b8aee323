"""Fetch one source (or all) into the landing zone, isolated, with a run record per attempt.

:func:`fetch_to_landing` never raises for a source failure: the run record says ``failed`` and why.
Run records go to ``<landing>/_runs/dt=<run date>/<source>-<timestamp>.json`` with the column names
of ``ops.source_runs`` (the loader adds ``record_file``). State (validators, cursor, the recent fetches
that flag the next one) is saved only after every payload was landed. The landing zone may be a local
folder or an object-store prefix (``FetchSettings.landing_dir``, :mod:`ingest.storage`): payloads, run
records and state all go there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from ingest import sources
from ingest.base import Fetched, ParseContext, SourceSpec
from ingest.html import text_rendering_skipped
from ingest.http import FetchError, HttpClient, HttpConfig
from ingest.landing import write_landing
from ingest.state import load_state, safe_name, save_state
from ingest.storage import open_storage

log = logging.getLogger(__name__)

RUNS_DIR = "_runs"
FLAG_MIN_PREVIOUS = 5
"""A source that saw at least this many postings before and now sees zero is flagged."""
FLAG_DROP_RATIO = 0.2
"""…and one that now sees fewer than this share of its previous count (when that was ≥ 50)."""
HISTORY_RECORDS = 5
"""…a recent run: one of the source's last this many ``ok`` fetches."""
HISTORY_FETCHES = 30
"""The source's state keeps at least this many of its last fetches (more when ``empty_runs`` asks)."""
FETCH_STATUSES = ("ok", "empty")
"""The statuses of a fetch that saw the board: failed and not-modified runs say nothing of its size."""


@dataclass(frozen=True)
class FetchSettings:
    """What the runner needs: where to land, when an empty board is flagged, how to fetch."""

    landing_dir: Path | str
    """A local folder or an object-store URL (``s3://bucket/prefix``, :mod:`ingest.storage`)."""
    empty_runs: int
    """A board listing 0 postings this many fetches in a row (or on its first fetch) is flagged "empty"."""
    http: HttpConfig = field(default_factory=HttpConfig)


@dataclass
class SourceRunRecord:
    """One fetch attempt of one configured source (keys = ``ops.source_runs`` columns)."""

    run_id: str
    source_name: str
    kind: str
    board: str | None
    started_at: str
    finished_at: str | None = None
    status: str = "failed"
    http_status: int | None = None
    postings_seen: int | None = None
    error: str | None = None
    flagged: bool = False
    landing_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> datetime:
    return datetime.now(UTC)


def runs_dir(landing_dir: Path) -> Path:
    return Path(landing_dir) / RUNS_DIR


def read_run_records(landing_dir: Path | str, source_name: str | None = None) -> list[dict[str, Any]]:
    """Every run record in the landing zone (optionally for one source), oldest first by ``started_at``."""
    store = open_storage(landing_dir)
    keys = store.glob(f"{RUNS_DIR}/dt=*/*.json")
    if source_name is not None:
        # file names start with the source's safe name and a timestamp: read only those (a superset:
        # the record's own source_name decides below)
        own = re.compile(re.escape(safe_name(source_name)) + r"-\d{8}T")
        keys = [k for k in keys if own.match(k.rpartition("/")[2])]
    records = []
    for key, body in sorted(store.read_many(keys).items()):
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            continue
        if isinstance(data, dict) and (source_name is None or data.get("source_name") == source_name):
            data["record_file"] = store.url(key)
            records.append(data)
    return sorted(records, key=lambda r: str(r.get("started_at") or ""))


def _flag_empty(record: SourceRunRecord, history: list[dict[str, Any]], empty_runs: int) -> str | None:
    """Why a board that lists nothing is not healthy: nothing on its first fetch (a wrong or moved board
    answers 200 with an empty list, e.g. a company that left that ATS), or nothing ``empty_runs`` fetches
    in a row. Failed and not-modified runs are neither fetches that saw postings nor empty ones."""
    if record.postings_seen != 0:
        return None
    fetches = [r for r in history if r.get("status") in FETCH_STATUSES]
    if not fetches:
        return "empty: 0 postings on its first fetch; check the board name (has the company moved ATS?)"
    streak = 1
    for r in reversed(fetches):
        if r.get("postings_seen") != 0:
            break
        streak += 1
    if streak >= empty_runs:
        return f"empty: 0 postings in each of the last {streak} fetches; check the board name"
    return None


def _flag(record: SourceRunRecord, history: list[dict[str, Any]], empty_runs: int) -> None:
    empty = _flag_empty(record, history, empty_runs)
    if empty:
        record.flagged = True
        record.error = f"flagged: {empty}" if not record.error else f"{record.error}; flagged: {empty}"
        return
    previous = [r for r in history if r.get("status") == "ok" and isinstance(r.get("postings_seen"), int)][
        -HISTORY_RECORDS:
    ]
    if not previous or record.postings_seen is None:
        return
    before = max(int(r["postings_seen"]) for r in previous)
    last = previous[-1]
    reason = None
    if record.postings_seen == 0 and before >= FLAG_MIN_PREVIOUS:
        reason = f"0 postings now, but {before} in a recent run (last ok run {last.get('started_at')} saw {last.get('postings_seen')})"
    elif before >= 50 and record.postings_seen < before * FLAG_DROP_RATIO:
        reason = f"only {record.postings_seen} postings now, down from {before} in a recent run"
    if reason:
        record.flagged = True
        record.error = f"flagged: {reason}" if not record.error else f"{record.error}; flagged: {reason}"


def kept_history(
    history: list[dict[str, Any]], record: SourceRunRecord, empty_runs: int
) -> list[dict[str, Any]]:
    """What the next fetch's flags read, ``record`` included: the last ``max(empty_runs,
    HISTORY_FETCHES)`` fetches and the last ``HISTORY_RECORDS`` ok ones, oldest first. Flags computed
    from it equal those from every run record, except that an empty streak longer than it is counted
    only that far."""
    summaries = [
        {
            "started_at": r.get("started_at"),
            "status": r.get("status"),
            "postings_seen": r.get("postings_seen"),
        }
        for r in [*history, record.to_dict()]
        if r.get("status") in FETCH_STATUSES
    ]
    last = max(empty_runs, HISTORY_FETCHES)
    ok = [i for i, r in enumerate(summaries) if r["status"] == "ok" and isinstance(r["postings_seen"], int)]
    keep = set(range(len(summaries) - last, len(summaries))) | set(ok[-HISTORY_RECORDS:])
    return [r for i, r in enumerate(summaries) if i in keep]


def _write_record(landing_dir: Path | str, run_date: date, record: SourceRunRecord, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    key = f"{RUNS_DIR}/dt={run_date.isoformat()}/{safe_name(record.source_name)}-{stamp}.json"
    store = open_storage(landing_dir)
    store.write_bytes(key, json.dumps(record.to_dict(), indent=1, ensure_ascii=False).encode("utf-8"))
    return store.url(key)


def parse_context(
    spec: SourceSpec, item: Fetched, raw_ref: str, options: dict[str, Any] | None
) -> ParseContext:
    return ParseContext(
        fetched_at=item.fetched_at,
        raw_ref=raw_ref,
        board=spec.board,
        company=spec.company,
        url=item.url,
        options=options or {},
    )


def make_client(
    settings: FetchSettings,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] | None = None,
) -> HttpClient:
    """The client the runner uses; an in-process ``httpx.MockTransport`` is not rate-limited (no remote host)."""
    offline = isinstance(transport, httpx.MockTransport)
    return HttpClient(settings.http, transport=transport, now=clock, rate_per_host_s=0.0 if offline else None)


def fetch_to_landing(
    spec: SourceSpec,
    settings: FetchSettings,
    run_date: date,
    client: HttpClient | None = None,
    transport: httpx.BaseTransport | None = None,
    *,
    run_id: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SourceRunRecord:
    """Fetch ``spec``, land its payloads, save its state, write and return its run record. Never raises
    for a source failure (the record says ``failed``). ``clock`` fixes the wall clock (reproducible
    offline runs); by default the client's clock, else the real time."""
    started = time.perf_counter()
    now = clock or (client.now if client is not None else _now)
    started_at = now()
    record = SourceRunRecord(
        run_id=run_id or f"{run_date.isoformat()}-{started_at.astimezone(UTC):%H%M%S%f}",
        source_name=spec.name,
        kind=spec.kind,
        board=spec.board,
        started_at=started_at.isoformat(),
    )
    landing = settings.landing_dir
    own_client = client is None
    try:
        module = sources.get(spec.kind)
        if client is None:
            client = make_client(settings, transport, clock)
        state = load_state(landing, spec.name)
        history = state.history if state.history is not None else read_run_records(landing, spec.name)
        with client.conditional_scope(state.validators) as scope:
            items = module.fetch(client, spec, state.cursor)
        options = module.parse_options(spec)
        seen = 0
        payload_errors: list[str] = []
        for item in items:
            if item.http_status is not None:
                record.http_status = item.http_status
            if item.not_modified:
                continue
            landed = write_landing(
                landing,
                module.KIND,
                item.payload,
                run_date=run_date,
                fetched_at=item.fetched_at,
                ext=item.ext,
                board=spec.board,
                url=item.url,
                content_type=item.content_type,
                complete_listing=item.complete_listing,
                options=options,
            )
            record.landing_files.append(landed.location)
            # counted only (the load parses the landed payload again to store it): no text rendered
            with text_rendering_skipped() if module.COUNTS_WITHOUT_TEXT else contextlib.nullcontext():
                parsed = module.parse(item.payload, parse_context(spec, item, landed.location, options))
            seen += len(parsed.postings)
            payload_errors += [e.reason for e in parsed.errors if e.pointer in ("", None)]
        # Everything is landed: now the state may advance.
        state.validators.update(scope.seen)
        state.cursor = module.next_cursor([i for i in items if not i.not_modified], state.cursor)
        if items and all(i.not_modified for i in items):
            record.status = "not_modified"
        else:
            record.postings_seen = seen
            # reference data (FX rates) has no postings by design: landed is ok
            record.status = "ok" if seen or module.REFERENCE_DATA else "empty"
            if payload_errors:
                record.error = f"{len(payload_errors)} payload(s) unreadable: {payload_errors[0]}"
                record.status = "failed" if not seen else record.status
            _flag(record, history, settings.empty_runs)
        state.history = kept_history(history, record, settings.empty_runs)
        save_state(landing, state)
    except FetchError as exc:
        record.status, record.error, record.http_status = "failed", str(exc), exc.http_status
    except Exception as exc:  # isolation: a connector bug must not stop the other sources
        log.exception("source %s crashed", spec.name)
        record.status, record.error = "failed", f"internal: {type(exc).__name__}: {exc}"
    finally:
        if own_client and client is not None:
            client.close()
    finished_at = now()
    record.finished_at = finished_at.isoformat()
    try:
        _write_record(landing, run_date, record, started_at)
    except OSError as exc:  # still never raise; the caller gets the record
        log.error("could not write run record for %s: %s", spec.name, exc)
    log.debug("%s finished in %.1fs", spec.name, time.perf_counter() - started)
    return record


def fetch_all(
    specs: Iterable[SourceSpec],
    settings: FetchSettings,
    run_date: date,
    transport: httpx.BaseTransport | None = None,
    *,
    client: HttpClient | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[SourceRunRecord]:
    """Fetch every enabled source, one after another, sharing one client (so per-host limits hold)."""
    enabled = [s for s in specs if s.enabled]
    run_id = f"{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    records: list[SourceRunRecord] = []
    own = client is None
    shared = client or make_client(settings, transport, clock)
    try:
        for n, spec in enumerate(enabled, start=1):
            t0 = time.perf_counter()
            record = fetch_to_landing(spec, settings, run_date, client=shared, run_id=run_id, clock=clock)
            records.append(record)
            log.info(
                "[%d/%d] %s: %s%s%s (%.1fs)",
                n,
                len(enabled),
                spec.name,
                record.status,
                f", {record.postings_seen} postings" if record.postings_seen is not None else "",
                f" — {record.error}" if record.error else "",
                time.perf_counter() - t0,
            )
    finally:
        if own:
            shared.close()
    failed = sum(r.status == "failed" for r in records)
    log.info(
        "fetched %d sources: %d ok/empty/not modified, %d failed", len(records), len(records) - failed, failed
    )
    return records
