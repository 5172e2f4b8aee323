"""Chart specs and the page, from the tiny hand-made warehouse (conftest): values, n, suppression, banner."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobtrends import dashboard, warehouse
from jobtrends.settings import PROJECT_ROOT


def load(data_dir: Path) -> dashboard.DashboardData:
    with warehouse.connect(data_dir / "warehouse.duckdb", read_only=True) as con:
        return dashboard.load_data(con, PROJECT_ROOT / "sql")


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a chart reads (its named dataset)."""
    assert all(node["data"] == {"name": dashboard.ROWS} for node in walk(spec) if "data" in node)
    return spec["datasets"][dashboard.ROWS]


def tooltip_fields(spec: dict[str, Any]) -> list[set[str]]:
    out = []
    for node in walk(spec):
        tip = node.get("tooltip")
        if isinstance(tip, list):
            out.append({t.get("field") for t in tip if isinstance(t, dict)})
    return out


@pytest.fixture(scope="module")
def sample_data(tiny_warehouses: dict[str, Path]) -> dashboard.DashboardData:
    return load(tiny_warehouses["sample"])


@pytest.fixture(scope="module")
def panels(sample_data: dashboard.DashboardData) -> dict[str, dashboard.Panel]:
    return {p.id: p for p in dashboard.build_panels(sample_data)}


def test_specs_are_valid_vega_lite(
    sample_data: dashboard.DashboardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        dashboard.charts, "VALIDATE_SPECS", True
    )  # altair checks each spec against the schema
    assert len(dashboard.build_panels(sample_data)) == 9


def test_every_query_runs_on_the_published_marts(sample_data: dashboard.DashboardData) -> None:
    assert sample_data.errors == {}
    assert sample_data.is_sample
    assert len(sample_data.rows("claims")) == 6


def test_yoy_values_n_and_claims(panels: dict[str, dashboard.Panel]) -> None:
    rows = values(panels["title-yoy"].spec)
    plain = {(r["role"], r["period"]): r for r in rows if r["measure"] == "plain"}
    q4 = plain[("AI/ML Engineer", "2025-10-01")]
    assert q4["yoy_pct"] == 150.0  # 40 → 100 new unique roles
    assert q4["n"] == 140 and q4["base"] == 40
    assert q4["claim"] == "growth_yoy:quarter:2025-10-01:ai_ml_engineer"
    assert q4["claim_href"] == "#claim-growth_yoy:quarter:2025-10-01:ai_ml_engineer"
    q1 = plain[("AI/ML Engineer", "2025-01-01")]
    assert q1["claim"] == dashboard.NO_CLAIM and q1["claim_href"] == ""
    panel = {(r["role"], r["period"]): r for r in rows if r["measure"] == "fixed panel"}
    assert panel[("AI/ML Engineer", "2025-10-01")]["yoy_pct"] == 120.0
    assert panel[("AI/ML Engineer", "2025-10-01")]["panel_companies"] == 7


def test_suppressed_changes_are_drawn_as_suppressed(panels: dict[str, dashboard.Panel]) -> None:
    rows = [r for r in values(panels["title-yoy"].spec) if r["role"] == "Prompt Engineer"]
    assert rows and all(r["yoy_pct"] is None for r in rows)  # base 10 < 30
    assert all(r["status"].startswith("suppressed") and r["shown_pct"] == 0.0 for r in rows)
    filters = [n["filter"] for n in walk(panels["title-yoy"].spec) if "filter" in n]
    assert "datum.yoy_pct == null" in filters  # the layer that draws them as crosses
    crosses = [n for n in walk(panels["title-yoy"].spec) if n.get("shape") == "cross"]
    assert crosses


def test_every_chart_has_title_units_period_dedup_n_and_tooltips(panels: dict[str, dashboard.Panel]) -> None:
    for panel in panels.values():
        spec = panel.spec
        title = spec["title"]
        subtitle = " ".join(title["subtitle"])
        assert title["text"], panel.id
        assert "unit" in subtitle and "dedup" in subtitle and "n = " in subtitle, (panel.id, subtitle)
        assert re.search(r"\d{4}", subtitle) or "latest" in subtitle, (panel.id, subtitle)
        tips = tooltip_fields(spec)
        assert tips, panel.id
        assert all(
            {"n", "claim"} <= fields or {"n_treated", "n_control", "claim"} <= fields for fields in tips
        ), (
            panel.id,
            tips,
        )


def test_salary_keeps_employer_stated_and_estimated_apart(panels: dict[str, dashboard.Panel]) -> None:
    rows = values(panels["salary"].spec)
    by_key = {(r["band"], r["pay_basis"]): r for r in rows}
    senior = by_key[("Senior+", "employer-stated")]
    assert (senior["low_k"], senior["high_k"], senior["n"]) == (190.0, 240.0, 44)
    assert senior["claim"] == "salary_min:year:2025-01-01:ai_ml_engineer:Senior+"
    estimated = by_key[("Senior+", "estimated")]
    assert (estimated["low_k"], estimated["n"], estimated["claim"]) == (170.0, 12, dashboard.NO_CLAIM)
    assert any(n.get("column", {}).get("field") == "pay_basis" for n in walk(panels["salary"].spec))


def test_wage_premium_shows_both_n_and_suppression(panels: dict[str, dashboard.Panel]) -> None:
    rows = {r["comparison"]: r for r in values(panels["wage-premium"].spec)}
    ai = rows["AI vs comparable roles · All"]
    assert ai["premium_pct"] == 20.0 and ai["n_label"] == "n = 84 vs 210"
    thin = rows["AI skill vs none · Software Engineer"]
    assert thin["premium_pct"] is None and thin["status"].startswith("suppressed")


def test_skill_comparison_defaults_to_pytorch_vs_tensorflow(panels: dict[str, dashboard.Panel]) -> None:
    spec = panels["skill-comparison"].spec
    params = {p["name"]: p["value"] for p in spec["params"]}
    assert params["skill_a"] == "pytorch" and params["skill_b"] == "tensorflow"
    rows = {(r["skill"], r["period"]): r for r in values(spec)}
    assert rows[("pytorch", "2025-10-01")]["share_pct"] == 62.0
    assert rows[("tensorflow", "2024-10-01")]["n"] == 100


def test_headline_tiles_come_from_claims(sample_data: dashboard.DashboardData) -> None:
    tiles = {t["label"]: t for t in dashboard.headline_tiles(sample_data)}
    assert tiles["AI share of new unique roles"]["value"] == "40.0%"
    assert tiles["AI roles, year over year"]["value"] == "+140.0%"
    assert tiles["AI roles, year over year (fixed panel)"]["value"] == "–"  # no such claim in this warehouse
    assert tiles["As of"]["value"] == "2026-01-01"


def test_banner_only_for_the_synthetic_sample(tiny_warehouses: dict[str, Path]) -> None:
    for name, expected in (("sample", True), ("real", False)):
        data = load(tiny_warehouses[name])
        page = dashboard.render_html(data, dashboard.build_panels(data), "/* no bundle */")
        assert ("id='sample-banner'" in page) is expected, name
        assert ("SYNTHETIC SAMPLE" in page) is expected, name


def test_page_is_self_contained(
    sample_data: dashboard.DashboardData, panels: dict[str, dashboard.Panel]
) -> None:
    page = dashboard.render_html(
        sample_data, list(panels.values()), "window.vegaEmbed = 1; // </script> inside"
    )
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    assert "default-src 'none'" in page  # the browser refuses any fetch
    assert page.count("</script>") == 3  # the bundle's own "</script>" is escaped
    assert "<tr id='claim-growth_yoy:quarter:2025-10-01:ai_ml_engineer'>" in page
    assert "missing title" in page and "lever:broken" in page  # quarantine reason, failing source
    assert "-7.5" in page  # the failing expectation's example


def test_write_dashboard_reads_only(tiny_settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = tiny_settings("real")
    monkeypatch.setattr(dashboard.build, "vega_bundle", lambda cache_dir=None: "/* bundle */")
    before = settings.warehouse_path.stat().st_mtime_ns
    out = dashboard.write_dashboard(settings, settings.data_dir / "board")
    assert Path(out["path"]) == settings.data_dir / "board" / "index.html"
    assert out["sample"] is False and out["query_errors"] == {} and out["panels"] == 9
    assert settings.warehouse_path.stat().st_mtime_ns == before
    assert [p.name for p in (settings.data_dir / "board").iterdir()] == ["index.html"]


def test_bundle_cache_is_per_machine_and_a_read_only_cache_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOBTRENDS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert dashboard.bundle_cache_dir() == tmp_path / "xdg" / "jobtrends"
    monkeypatch.setenv("JOBTRENDS_CACHE_DIR", str(tmp_path / "mine"))
    assert dashboard.bundle_cache_dir() == tmp_path / "mine"

    import vl_convert

    calls: list[str] = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda **kw: calls.append("b") or "/* js */")
    cache = tmp_path / "cache"
    assert dashboard.vega_bundle(cache) == "/* js */"
    assert dashboard.vega_bundle(cache) == "/* js */"
    assert calls == ["b"]  # the second build read the cache
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    assert dashboard.vega_bundle(blocked / "sub") == "/* js */"  # cannot write there: still a bundle
