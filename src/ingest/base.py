"""The contract every source module under ``ingest.sources`` follows.

A source module exposes:

- ``KIND: str`` — its name (``greenhouse``), the ``source`` of its postings and landing folder;
- ``parse(payload: bytes, ctx: ParseContext) -> ParseResult`` — pure: bytes in, postings and
  per-record errors out, never raises on bad records (a payload that cannot be read at all gives
  a ``ParseResult`` with one error and no postings);
- ``fetch(client, spec: SourceSpec) -> list[Fetched]`` — I/O only: returns payloads to land.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingest.models import Posting


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One configured source: a connector kind plus what to collect with it."""

    kind: str
    name: str
    """Unique name in the sources file (e.g. ``greenhouse:anthropic``)."""
    board: str | None = None
    company: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ParseContext:
    fetched_at: datetime
    raw_ref: str
    """Landing file path; parsers append ``#<pointer>`` per record."""
    board: str | None = None
    company: str | None = None
    url: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record (or whole payload) that could not become a posting: kept for the quarantine table."""

    reason: str
    pointer: str | None = None
    record: str | None = None
    """The offending record as text (truncated), so nothing is lost."""


@dataclass(slots=True)
class ParseResult:
    postings: list[Posting] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    note: str | None = None
    """Human note, e.g. "page has no schema.org JobPosting data"."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """One payload a fetch produced, ready to land."""

    payload: bytes
    url: str
    fetched_at: datetime
    content_type: str | None = None
    ext: str = "json"
    complete_listing: bool = False
    http_status: int | None = None
    not_modified: bool = False
    """True when a conditional request said the board is unchanged (nothing to land)."""
