"""Assembling and writing the dashboard: :func:`build_panels` (page order) and :func:`write_dashboard`
(the pipeline stage: read-only marts → ``index.html``, written atomically)."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from jobtrends import warehouse
from jobtrends.dashboard.bundle import bundle_cache_dir, vega_bundle
from jobtrends.dashboard.charts import Panel
from jobtrends.dashboard.data import DashboardData, load_data
from jobtrends.dashboard.health import loaded_panel, validation_panel
from jobtrends.dashboard.market import (
    distinct_titles_panel,
    skill_comparison_panel,
    title_growth_panels,
    top_skills_panel,
)
from jobtrends.dashboard.page import render_html
from jobtrends.dashboard.pay import salary_panel, wage_premium_panel


def build_panels(data: DashboardData) -> list[Panel]:
    """Every chart of the dashboard, in page order (pure: rows in, specs out)."""
    return [
        *title_growth_panels(data),
        distinct_titles_panel(data),
        top_skills_panel(data),
        skill_comparison_panel(data),
        salary_panel(data),
        wage_premium_panel(data),
        loaded_panel(data),
        validation_panel(data),
    ]


def write_dashboard(settings: Any, out_dir: Path | None = None) -> dict[str, Any]:
    """Pipeline stage: read the published marts (read-only) and write ``<out_dir>/index.html`` atomically.

    ``out_dir`` defaults to ``<data_dir>/dashboard``. Returns ``{path, bytes, seconds, panels, sample}``.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir) if out_dir is not None else Path(settings.data_dir) / "dashboard"
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        data = load_data(con, settings.sql_dir)
    if not data.rows("settings"):
        from jobtrends.errors import UserError

        raise UserError("no published marts yet: run `jobtrends run` (or the build stage) first")
    panels = build_panels(data)
    bundle = vega_bundle(bundle_cache_dir())
    built_at = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    page = render_html(data, panels, bundle, built_at=built_at)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    tmp = out_dir / f".index.html.{uuid.uuid4().hex[:8]}"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return {
        "path": str(target),
        "bytes": target.stat().st_size,
        "panels": len(panels),
        "sample": data.is_sample,
        "query_errors": dict(data.errors),
        "seconds": round(time.perf_counter() - started, 2),
    }
