"""The canonical posting model shared by every source.

Every connector's pure ``parse`` step turns one payload into a list of :class:`Posting`.
Fields hold what the source *stated*; interpretation (role, skills, annual USD pay) happens
later in ``transform``. Field-by-field documentation lives in ``docs/posting-model.md``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

WorkMode = Literal["remote", "hybrid", "onsite"]
DatePrecision = Literal["second", "day", "month", "approx"]
PayPeriod = Literal["hour", "day", "week", "month", "year"]


@dataclass(slots=True)
class Posting:
    """One job advert as one source published it (the unit the raw layer stores)."""

    source: str
    """Connector name, e.g. ``greenhouse``; with ``source_id`` the posting's identity."""
    source_id: str
    """The source's own id for the advert (stable across fetches)."""
    title: str
    company: str | None = None
    board: str | None = None
    """Board token / site / company slug the advert was listed under, where the source has one."""
    url: str | None = None
    location_text: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2 where the source states it structurally."""
    remote: bool | None = None
    work_mode: WorkMode | None = None
    """Stated structurally (Lever ``workplaceType``, Ashby ``isRemote``); text inference is transform's job."""
    employment_type: str | None = None
    description: str | None = None
    """Plain text (HTML already rendered to text, entities and mojibake repaired)."""
    posted_at: datetime | None = None
    """First published time as the source states it (UTC)."""
    posted_at_precision: DatePrecision | None = None
    pay_min: float | None = None
    pay_max: float | None = None
    pay_currency: str | None = None
    pay_period: PayPeriod | None = None
    pay_text: str | None = None
    """Pay as a display string from a structured field, or the pay snippet the source shows."""
    pay_is_estimate: bool | None = None
    raw_ref: str | None = None
    """Where the unchanged payload is: ``<landing file path>#<pointer>``."""
    fetched_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Source-specific fields worth keeping (departments, requisition ids)."""

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime | date):
                value = value.isoformat()
            out[f.name] = value
        return out

    # The content hash of a posting version is computed where it is stored, over the stored values, by
    # one definition for every load path: jobtrends.warehouse.content_hash_sql.


POSTING_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Posting))


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive values are taken to be UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
