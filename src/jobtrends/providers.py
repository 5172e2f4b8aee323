"""Where the sources come from: the sources file over the network, or the synthetic sample in-process.

:func:`provider_for` chooses once, from ``settings.sample``; the pipeline's stages then ask the
provider (its specs, transport and clock, the FX spec, what a whole run ingests) and never which
one it is. Only the run summary reads :attr:`SourceProvider.synthetic`, to say the figures are made up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from ingest.base import SourceSpec
from jobtrends.errors import UserError
from jobtrends.progress import report_count
from jobtrends.settings import Settings

if TYPE_CHECKING:
    from jobtrends.sample.world import SampleWorld

Progress = Callable[[str], None]
Clock = Callable[[], datetime]
IngestAt = Callable[[date, list[SourceSpec] | None, Progress], dict[str, Any]]
"""The pipeline's ingest of one run date: ``(run_date, specs or None for the provider's, progress)``."""


def _quiet(_: str) -> None:
    return None


class SourceProvider(Protocol):
    """The sources a pipeline run fetches and how it reaches them."""

    @property
    def synthetic(self) -> bool:
        """The postings are made up (the run summary says so)."""
        ...

    def specs(self, as_of: date | None = None) -> list[SourceSpec]:
        """The enabled sources (``as_of``: as they stand on that run date)."""
        ...

    def fetch_setup(
        self, run_date: date, transport: httpx.BaseTransport | None
    ) -> tuple[httpx.BaseTransport | None, Clock | None]:
        """The transport (``transport`` when given, else the provider's; None: the network) and the
        clock (None: the wall clock) for fetching on ``run_date``."""
        ...

    def fx_spec(self) -> SourceSpec | None:
        """The configured ``fx`` source (its name keeps the conditional-request state), if any."""
        ...

    def plan_ingest(
        self, run_date: date | None, ingest: IngestAt, progress: Progress
    ) -> tuple[date, Callable[[], dict[str, Any]]]:
        """What ``jobtrends run`` ingests up to ``run_date``: the last date it covers and the ingest
        step (called later, timed as the run's ``ingest`` step)."""
        ...


class ConfiguredSources:
    """The real sources: ``settings.sources_file``, fetched over the network at the wall-clock time."""

    synthetic = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def specs(self, as_of: date | None = None) -> list[SourceSpec]:
        from ingest.config import load_sources

        path = self.settings.sources_file
        if not path.exists():
            raise UserError(f"sources file not found: {path} (set JOBTRENDS_SOURCES_FILE)")
        return [s for s in load_sources(path) if s.enabled]

    def fetch_setup(
        self, run_date: date, transport: httpx.BaseTransport | None
    ) -> tuple[httpx.BaseTransport | None, Clock | None]:
        return transport, None

    def fx_spec(self) -> SourceSpec | None:
        from ingest.config import ConfigError, load_sources

        if not self.settings.sources_file.exists():
            return None
        try:
            return next((s for s in load_sources(self.settings.sources_file) if s.kind == "fx"), None)
        except ConfigError:
            return None

    def plan_ingest(
        self, run_date: date | None, ingest: IngestAt, progress: Progress
    ) -> tuple[date, Callable[[], dict[str, Any]]]:
        last = run_date or date.today()
        return last, lambda: ingest(last, None, progress)


class SampleSources:
    """The synthetic sample: its boards, served by an in-process transport, replayed as monthly
    snapshots fetched at a fixed time of day (so reruns are byte-identical)."""

    synthetic = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def world(self) -> SampleWorld:
        from jobtrends.sample import generate_world

        return generate_world(seed=self.settings.sample_seed, scale=self.settings.sample_scale)

    def specs(self, as_of: date | None = None) -> list[SourceSpec]:
        """The sample's sources (its career pages as open on ``as_of``)."""
        return list(self.world.source_specs(as_of=as_of))

    def fetch_setup(
        self, run_date: date, transport: httpx.BaseTransport | None
    ) -> tuple[httpx.BaseTransport | None, Clock | None]:
        return transport or self.world.transport(run_date), fixed_clock(run_date)

    def fx_spec(self) -> SourceSpec | None:
        return None

    def plan_ingest(
        self, run_date: date | None, ingest: IngestAt, progress: Progress
    ) -> tuple[date, Callable[[], dict[str, Any]]]:
        world = self.world
        dates = [d for d in world.snapshot_dates() if run_date is None or d <= run_date]
        progress(
            f"Synthetic sample: {len(dates)} monthly snapshots {dates[0]} … {dates[-1]}, {len(world.source_specs())} sources"
        )

        def ingest_snapshots() -> dict[str, Any]:
            seen, failed = 0, []
            for i, d in enumerate(dates, 1):
                out = ingest(d, self.specs(as_of=d), _quiet)
                seen += out["postings_seen"]
                failed += out["failed"]
                progress(f"  snapshot {d}: {out['postings_seen']:,} postings listed")
                report_count(progress, "fetch", i, len(dates), "snapshots")
            return {"snapshots": len(dates), "postings_seen": seen, "failed": failed}

        return dates[-1], ingest_snapshots


def fixed_clock(as_of: date) -> Clock:
    # Sample snapshots are "fetched" at a fixed time of their date, so reruns are byte-identical.
    stamp = datetime(as_of.year, as_of.month, as_of.day, 6, 0, tzinfo=UTC)
    return lambda: stamp


def provider_for(settings: Settings) -> SourceProvider:
    """The one place that asks whether this is the synthetic sample."""
    return SampleSources(settings) if settings.sample else ConfiguredSources(settings)
