"""``jobtrends dashboard``: the published marts as one self-contained, offline HTML page.

Charts are Vega-Lite specs made with ``altair`` (pure functions of the rows that ``sql/dashboard/*.sql``
read from a read-only connection); the Vega, Vega-Lite and vega-embed JavaScript is inlined from
``vl-convert-python``'s bundle, so the file makes no request when opened. Every chart says its units,
period, dedup level and n, and its tooltips give the value, n and the claim id (``marts.claims``) where
a claim stands behind the point.

:func:`load_data` (I/O) → :func:`build_panels` (pure) → :func:`render_html` (pure) → :func:`write_dashboard`.

Callers use ``dashboard.X``; the modules hold:

- :mod:`.data` — the queries and :class:`DashboardData` (:func:`load_data`);
- :mod:`.charts` — what every chart shares: :class:`Panel`, palette, labels, titles, claim links, spec output;
- :mod:`.market` — headline tiles, title growth, distinct titles and skills panels;
- :mod:`.pay` — salary and wage-premium panels;
- :mod:`.health` — data-health panels (postings loaded, validation);
- :mod:`.page` — :func:`render_html`: the HTML page, data-health and claims tables;
- :mod:`.bundle` — the inlined JavaScript bundle (:func:`vega_bundle`) and its cache;
- :mod:`.build` — :func:`build_panels` (page order) and :func:`write_dashboard` (the pipeline stage).
"""

from jobtrends.dashboard.build import build_panels, write_dashboard
from jobtrends.dashboard.bundle import bundle_cache_dir, vega_bundle
from jobtrends.dashboard.charts import NO_CLAIM, PALETTE, ROWS, Panel
from jobtrends.dashboard.data import DashboardData, load_data
from jobtrends.dashboard.market import headline_tiles
from jobtrends.dashboard.page import render_html

__all__ = [
    "NO_CLAIM",
    "PALETTE",
    "ROWS",
    "DashboardData",
    "Panel",
    "build_panels",
    "bundle_cache_dir",
    "headline_tiles",
    "load_data",
    "render_html",
    "vega_bundle",
    "write_dashboard",
]
