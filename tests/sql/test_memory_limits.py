"""DuckDB's memory limit per step: the build's passes over the postings (input validation, dedup) run
under their own, lower limit (what they cache is not read again; Python holds frames and signatures
beside DuckDB), the layers under the build's; a bounded block gives back the limit of before, also when
it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrends import marts, warehouse
from jobtrends.settings import load_settings

from .conftest import SQL_DIR, TAXONOMY, build_settings


def _limit(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def _three_postings(given) -> None:
    for i in range(3):
        given.posting(f"gh:{i}", posted="2025-06-10", company="Acme", title_clean=f"ml engineer {i}")
    given.load()


def test_the_dedup_step_runs_under_the_scan_limit_and_the_layers_under_the_builds(
    given, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _three_postings(given)
    settings = load_settings(tmp_path, sql_dir=SQL_DIR, taxonomy_version=TAXONOMY, scan_memory_limit="300MB")
    warehouse.set_memory_limit(given.con, "700MB")
    seen: dict[str, str] = {}

    def spy(name: str, original):
        def run(con, *args, **kwargs):
            seen[name] = _limit(con)
            return original(con, *args, **kwargs)

        return run

    monkeypatch.setattr(marts, "compute_dedup_inputs", spy("dedup", marts.compute_dedup_inputs))
    monkeypatch.setattr(warehouse, "build_layers", spy("layers", warehouse.build_layers))

    assert marts.build_and_publish(given.con, settings, run_id="r1")["status"] == "published"

    # DuckDB prints limits in binary units: 300 MB = 286.1 MiB, 700 MB = 667.5 MiB
    assert seen == {"dedup": "286.1 MiB", "layers": "667.5 MiB"}
    assert _limit(given.con) == "667.5 MiB"
    assert given.one("select count(*) as n from marts.agg_title_growth")["n"] > 0


def test_a_bounded_block_restores_the_limit_of_before_also_when_it_fails(given) -> None:
    default = _limit(given.con)
    with warehouse.bounded_memory(given.con, "300MB"):
        assert _limit(given.con) == "286.1 MiB"
    assert _limit(given.con) == default  # the default again, not a fixed figure

    warehouse.set_memory_limit(given.con, "700MB")
    with pytest.raises(ValueError, match="inside"), warehouse.bounded_memory(given.con, "300MB"):
        raise ValueError("failed inside the block")
    assert _limit(given.con) == "667.5 MiB"

    with warehouse.bounded_memory(given.con, ""):
        assert _limit(given.con) == "667.5 MiB"


def test_a_build_validates_its_input_under_the_scan_limit(
    given, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobtrends import pipeline, quality

    _three_postings(given)
    settings = build_settings(tmp_path, min_base=1, scan_memory_limit="300MB", build_memory_limit="700MB")
    seen: list[tuple[str, str]] = []
    original = quality.validate_layer

    def spy(con, layer, *args, **kwargs):
        seen.append((layer, _limit(con)))
        return original(con, layer, *args, **kwargs)

    monkeypatch.setattr(quality, "validate_layer", spy)

    pipeline.build(settings, run_id="r1")

    assert seen == [("raw", "286.1 MiB"), ("normalised", "286.1 MiB")]
