"""The contract every source module under ``ingest.sources`` follows: :class:`Connector`.

A source module *is* its connector: its module-level names satisfy the protocol, and
``ingest.sources.CONNECTORS`` is typed ``tuple[Connector, ...]``, so the type checker verifies every
module against it. Optional hooks have a default here (:func:`no_parse_options`, :func:`keep_cursor`)
that a module which does not need the hook binds by name (``next_cursor = keep_cursor``); callers
(runner, config loader, readers) use every member directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ingest.models import Posting

if TYPE_CHECKING:
    from ingest.http import HttpClient

Cursor = dict[str, Any]
"""A source's incremental state between runs (e.g. HN's newest thread), saved by the runner only after
every payload of the run is landed; ``{}`` before the first run."""


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


@runtime_checkable
class Connector(Protocol):
    """One source kind. Attributes are read-only for callers; the two I/O-free hooks have defaults."""

    @property
    def KIND(self) -> str:
        """Its name (``greenhouse``): the ``source`` of its postings and its landing folder."""
        ...

    @property
    def NEEDS_BOARD(self) -> bool:
        """The sources file must give a board (token, site or company slug) for this kind."""
        ...

    @property
    def BOARD_PATTERN(self) -> str | None:
        """A regular expression a board name must match in full, or None (any board)."""
        ...

    @property
    def BOARD_RULE(self) -> str | None:
        """The pattern in words, for the config error; None: the pattern itself is shown."""
        ...

    @property
    def REFERENCE_DATA(self) -> bool:
        """Lands reference data (FX rates), not postings: zero postings is a healthy run."""
        ...

    @property
    def COUNTS_WITHOUT_TEXT(self) -> bool:
        """Which postings :meth:`parse` finds, and its payload errors, never depend on rendered text: a
        fetch counts them with HTML rendering skipped (``ingest.html.text_rendering_skipped``)."""
        ...

    def fetch(self, client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
        """I/O only: the payloads to land. ``cursor`` is the saved state of the previous run
        (None or ``{}``: none yet); a connector without incremental state ignores it."""
        ...

    def parse(self, payload: bytes, ctx: ParseContext) -> ParseResult:
        """Pure: bytes in, postings and per-record errors out. Never raises on bad records; a payload
        that cannot be read at all gives a result with one error and no postings."""
        ...

    def parse_options(self, spec: SourceSpec) -> dict[str, Any] | None:
        """Options stored with each landed payload and handed back to :meth:`parse` (``ctx.options``),
        so the loader parses it the same way later; None: the payload alone says how."""
        ...

    def next_cursor(self, items: list[Fetched], cursor: Cursor) -> Cursor:
        """The cursor to save once ``items`` (the payloads of this run that changed) are landed."""
        ...


def no_parse_options(spec: SourceSpec) -> dict[str, Any] | None:
    """Default :meth:`Connector.parse_options`: nothing to store, the payload says how to read it."""
    return None


def keep_cursor(items: list[Fetched], cursor: Cursor) -> Cursor:
    """Default :meth:`Connector.next_cursor`: a connector that fetches a full listing each run keeps
    the cursor as it is (``{}``)."""
    return cursor
