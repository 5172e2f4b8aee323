"""Rule errors during ``pipeline.normalise``: counted per rule, stored in ``ops.normalise_errors``, shown in
the run summary (issue 12: failures visible, never an ``except`` that hides them)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from jobtrends import pipeline, warehouse
from jobtrends.settings import Settings, load_settings
from transform import batch, locations


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings(tmp_path / "data")
    dump = tmp_path / "jobs.jsonl"
    rows = [
        {"source_id": str(i), "title": "Data Engineer", "company": "Acme", "location_text": place}
        for i, place in enumerate(["London, UK", "Paris, France", "London Bridge, London", "Berlin"])
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pipeline.import_file(settings, dump, run_date=date(2025, 6, 1))
    pipeline.load(settings)
    return settings


def test_errors_are_stored_per_rule_and_shown(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    original = locations._parse_text

    def flaky(text: str):  # type: ignore[no-untyped-def]
        if "London" in text:
            raise KeyError("unit test: broken gazetteer entry")
        return original(text)

    monkeypatch.setattr(locations, "_parse_text", flaky)
    monkeypatch.setattr(batch, "_CACHES", batch._Caches())  # texts other tests cached must be parsed again
    summary = pipeline.normalise(settings, run_id="run-1")
    assert summary["normalised"] == 4
    assert summary["rule_errors"] == {"locations.parse_location": 2}
    rows = warehouse.query(
        settings.warehouse_path, "select run_id, rule, count, example, error from ops.normalise_errors"
    )[1]
    assert len(rows) == 1
    run_id, rule, count, example, error = rows[0]
    assert (run_id, rule, count) == ("run-1", "locations.parse_location", 2)
    assert "London" in example and error.startswith("KeyError")
    shown = "\n".join(pipeline.render_rule_errors({"steps": [{"step": "normalise", **summary}]}))
    assert "locations.parse_location" in shown and "ops.normalise_errors" in shown


def test_a_clean_run_records_nothing(settings: Settings) -> None:
    summary = pipeline.normalise(settings, run_id="run-2")
    assert summary["rule_errors"] == {}
    assert warehouse.query(settings.warehouse_path, "select count(*) from ops.normalise_errors")[1] == [(0,)]
    shown = pipeline.render_rule_errors({"steps": [{"step": "normalise", **summary}]})
    assert shown[0] == "Normaliser rule errors: none" and shown[1].startswith("FX table: bundled:")


def test_normalising_bounds_duckdb_by_its_own_memory_limit(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The appended rows stay cached in DuckDB's buffers up to its limit (80% of RAM by default)."""
    seen: list[str] = []
    original = warehouse.insert_arrow

    def spy(con, table, data, **kwargs):  # type: ignore[no-untyped-def]
        # a cursor: the connection is streaming the rows to normalise; the limit is the database's
        seen.append(con.cursor().execute("select current_setting('memory_limit')").fetchone()[0])
        return original(con, table, data, **kwargs)

    monkeypatch.setattr(warehouse, "insert_arrow", spy)
    settings = dataclasses.replace(settings, normalise_memory_limit="300MB")
    assert pipeline.normalise(settings, run_id="run-3")["normalised"] == 4
    assert seen and set(seen) == {"286.1 MiB"}  # 300 MB in DuckDB's binary units
