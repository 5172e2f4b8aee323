"""The dashboard in a real browser: headless Chromium (Debian's package) over the DevTools protocol.

Skips locally without Chromium; fails in CI (CI=true or JOBTRENDS_REQUIRE_SHARED=1), where .ci/run
installs it. The sample's own dashboard is checked the same way in tests/e2e/test_run_sample.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobtrends import browser, dashboard

pytestmark = pytest.mark.xdist_group("chromium")


def test_the_harness_sees_requests_console_errors_and_empty_charts(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><html><body><div data-chart='empty'></div>"
        "<img src='http://127.0.0.1:9/pixel.png'>"
        "<script>console.error('boom'); missingFunction();</script></body></html>"
    )
    report = browser.open_page(page, executable=chromium)
    assert report.external_requests() == ["http://127.0.0.1:9/pixel.png"]
    assert any("boom" in e for e in report.console_errors)
    assert any("missingFunction" in e for e in report.console_errors)
    assert report.charts == [{"id": "empty", "marks": 0, "canvases": 0, "svg": 0}]


@pytest.fixture(scope="module")
def rendered(tiny_settings: Any, chromium: str) -> tuple[dict[str, Any], browser.BrowserReport]:
    out = dashboard.write_dashboard(tiny_settings("sample"))
    report = browser.open_page(Path(out["path"]), executable=chromium, texts={"banner": "#sample-banner"})
    return out, report


def test_every_chart_draws_marks_offline(rendered: tuple[dict[str, Any], browser.BrowserReport]) -> None:
    out, report = rendered
    assert report.rendered == "ok", report.as_dict()
    assert len(report.charts) == out["panels"] == 9
    empty = [c["id"] for c in report.charts if not (c["marks"] or c["canvases"])]
    assert not empty, report.charts
    assert report.console_errors == []
    assert report.external_requests() == []
    assert report.requests and all(r.startswith("file://") for r in report.requests)


def test_the_sample_banner_shows(rendered: tuple[dict[str, Any], browser.BrowserReport]) -> None:
    _, report = rendered
    assert "SYNTHETIC SAMPLE" in report.texts.get("banner", "")
    assert "1,234 postings" in report.texts["banner"]
