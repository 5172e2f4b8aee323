"""jobtrends.providers: the sources file or the synthetic sample, chosen once from the settings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.base import SourceSpec
from jobtrends.errors import UserError
from jobtrends.providers import ConfiguredSources, SampleSources, provider_for
from jobtrends.settings import load_settings

SOURCES_YAML = """
sources:
  - kind: greenhouse
    boards: [examplelabs, {board: otherco, enabled: false}]
  - kind: fx
    name: fx:mirror
    board: ecb
    params: {url: "https://mirror.example/eurofxref-hist.zip"}
"""


@pytest.fixture
def real(tmp_path: Path):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES_YAML)
    return load_settings(tmp_path / "data", sources_file=path)


@pytest.fixture
def sample(tmp_path: Path):
    return load_settings(tmp_path / "data", sample=True, sample_scale=0.05)


class Recorder:
    """Stands in for the pipeline's ingest of one date: records each call, lists 10 postings."""

    def __init__(self) -> None:
        self.calls: list[tuple[date, list[str] | None]] = []

    def __call__(self, day: date, specs: list[SourceSpec] | None, progress: Any) -> dict[str, Any]:
        self.calls.append((day, None if specs is None else [s.name for s in specs]))
        progress(f"ingested {day}")
        return {"run_date": day.isoformat(), "sources": 1, "failed": [], "postings_seen": 10}


def test_the_settings_choose_the_provider(real, sample):
    assert isinstance(provider_for(real), ConfiguredSources) and not provider_for(real).synthetic
    assert isinstance(provider_for(sample), SampleSources) and provider_for(sample).synthetic


def test_configured_sources_read_the_sources_file(real, tmp_path: Path):
    provider = provider_for(real)
    assert [s.name for s in provider.specs()] == ["greenhouse:examplelabs", "fx:mirror"]
    fx = provider.fx_spec()
    assert fx is not None and fx.name == "fx:mirror" and fx.params["url"].startswith("https://mirror.")
    given = httpx.MockTransport(lambda request: httpx.Response(204))
    assert provider.fetch_setup(date(2026, 10, 20), given) == (given, None)
    assert provider.fetch_setup(date(2026, 10, 20), None) == (None, None)
    missing = load_settings(tmp_path / "data", sources_file=tmp_path / "nope.yaml")
    with pytest.raises(UserError, match="sources file not found"):
        provider_for(missing).specs()
    assert provider_for(missing).fx_spec() is None


def test_configured_sources_ingest_the_run_date_once(real):
    ingest, lines = Recorder(), []
    last, step = provider_for(real).plan_ingest(date(2026, 10, 20), ingest, lines.append)
    assert last == date(2026, 10, 20) and ingest.calls == [] and lines == []
    assert step() == {"run_date": "2026-10-20", "sources": 1, "failed": [], "postings_seen": 10}
    assert ingest.calls == [(date(2026, 10, 20), None)] and lines == ["ingested 2026-10-20"]


def test_sample_serves_its_snapshots_in_process_at_a_fixed_time(sample):
    provider = provider_for(sample)
    assert provider.fx_spec() is None
    transport, clock = provider.fetch_setup(date(2025, 3, 1), None)
    assert isinstance(transport, httpx.MockTransport)
    assert clock is not None and clock() == datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    given = httpx.MockTransport(lambda request: httpx.Response(204))
    assert provider.fetch_setup(date(2025, 3, 1), given)[0] is given
    specs = provider.specs(as_of=date(2025, 3, 1))
    assert specs and all(s.params.get("sample") is True for s in specs)
    assert any(s.kind == "remoteok" for s in specs)


def test_sample_replays_the_monthly_snapshots_up_to_the_run_date(sample):
    provider = provider_for(sample)
    ingest, lines = Recorder(), []
    last, step = provider.plan_ingest(date(2024, 3, 15), ingest, lines.append)
    assert last == date(2024, 3, 1)
    assert len(lines) == 1 and lines[0].startswith(
        "Synthetic sample: 3 monthly snapshots 2024-01-01 … 2024-03-01"
    )
    summary = step()
    assert summary == {"snapshots": 3, "postings_seen": 30, "failed": []}
    assert [day for day, _ in ingest.calls] == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    for day, names in ingest.calls:
        assert names == [s.name for s in provider.specs(as_of=day)]
    # the per-source lines of each snapshot stay quiet; one line per snapshot
    assert not any(line.startswith("ingested") for line in lines)
    assert "  snapshot 2024-02-01: 10 postings listed" in lines
