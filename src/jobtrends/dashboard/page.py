"""The page (pure): styles, tiles, panels, the data-health and claims tables, the inline specs and bundle,
as one HTML string that fetches nothing."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from jobtrends.dashboard.charts import (
    NO_CLAIM,
    Panel,
    _fmt_int,
)
from jobtrends.dashboard.data import DashboardData
from jobtrends.dashboard.market import headline_tiles

_CSS = """
:root { --ink:#1b1b1b; --muted:#5b5b5b; --line:#d9d9d9; --bg:#fafafa; --red:#b00020; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 20px; }
h1 { font-size: 22px; margin: 16px 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; }
section.panel h2 { margin: 2px 0 6px; }
.meta { color: var(--muted); font-size: 13px; }
.banner { position: sticky; top: 0; z-index: 10; background: var(--red); color: #fff; font-weight: 600;
          padding: 10px 20px; text-align: center; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin: 14px 0; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.tile .v { font-size: 26px; font-weight: 650; } .tile .l { color: var(--muted); font-size: 12px; }
.tile .d { font-size: 12px; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(580px, 1fr)); gap: 16px; }
section.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; overflow-x: auto; }
section.panel.wide { grid-column: 1 / -1; }
.caption { color: var(--muted); font-size: 12px; margin: 6px 0; }
details { font-size: 12px; margin-top: 4px; } pre { white-space: pre-wrap; background: #f3f3f3; padding: 8px; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:target { background: #fff3b0; }
.bad { color: var(--red); font-weight: 600; } .warn { color: #8a5a00; } .ok { color: #00734d; }
a { color: #0057a3; }
.vega-bind { display: inline-block; margin: 4px 10px 0 0; font-size: 12px; }
.scroll { max-height: 420px; overflow: auto; }
"""

_EMBED_JS = """
(function () {
  var specs = JSON.parse(document.getElementById('jt-specs').textContent);
  var jobs = Object.keys(specs).map(function (id) {
    return vegaEmbed('#chart-' + id, specs[id], {actions: false, renderer: 'svg', tooltip: true})
      .catch(function (err) { console.error('chart ' + id + ' failed: ' + err); throw err; });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute('data-render-ms', Math.round(performance.now()));
    document.body.setAttribute('data-rendered', 'ok');
  },
                         function () { document.body.setAttribute('data-rendered', 'error'); });
})();
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _script_text(text: str) -> str:
    # A literal "</script" inside an inline script would end it early; "<\/" means the same in JS.
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f"<td class='num'>{c}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _claim_link(claim_id: str | None) -> str:
    if not claim_id or claim_id == NO_CLAIM:
        return ""
    return f"<a href='#claim-{_esc(claim_id)}'>{_esc(claim_id)}</a>"


def _health_html(data: DashboardData) -> str:
    s = data.settings
    parts = [
        f"<p class='meta'>Taxonomy version <b>{_esc(s.get('taxonomy_version'))}</b> · as of "
        f"{_esc(s.get('as_of_date'))} · minimum base {_esc(s.get('min_base'))}. The validation tables below replace "
        "the Great Expectations Data Docs when you are offline.</p>"
    ]
    status_class = {"ok": "ok", "not_modified": "ok", "empty": "warn", "flagged": "warn", "failed": "bad"}
    sources = data.rows("sources")
    parts.append(
        "<h3>Sources and their last status</h3><div class='scroll'>"
        + _table(
            [
                "source",
                "kind",
                "last fetch",
                "last status",
                "HTTP",
                "postings seen",
                "fetches",
                "failed",
                "last error",
            ],
            (
                [
                    _esc(s["source_name"]),
                    _esc(s["kind"]),
                    _esc(s["last_fetch"]),
                    f"<span class='{status_class.get(s['last_status'], '')}'>{_esc(s['last_status'])}</span>",
                    _esc(s["last_http_status"]),
                    _fmt_int(s["last_postings_seen"]),
                    _fmt_int(s["fetches"]),
                    _fmt_int(s["failed_fetches"]),
                    _esc((s["last_error"] or "")[:160]),
                ]
                for s in sources
            ),
            numeric=(5, 6, 7),
        )
        + "</div>"
    )
    volumes = data.rows("volumes")
    parts.append(
        "<h3>Volumes</h3>"
        + _table(["what", "n"], ([_esc(v["what"]), _fmt_int(v["n"])] for v in volumes), (1,))
    )
    quarantine = data.rows("quarantine")
    parts.append(
        "<h3>Quarantine: top reasons</h3>"
        + (
            _table(
                ["stage", "check", "reason", "records", "example"],
                (
                    [
                        _esc(q["stage"]),
                        _esc(q["check_name"]),
                        _esc(q["reason"][:200]),
                        _fmt_int(q["records"]),
                        _esc(f"{q['example_source']} {q['example']}".strip()[:160]),
                    ]
                    for q in quarantine
                ),
                numeric=(3,),
            )
            if quarantine
            else "<p class='meta'>No record is quarantined.</p>"
        )
    )
    validation = data.rows("validation")
    failing = [v for v in validation if not v["success"]]
    summary: dict[str, list[int]] = {}
    for v in validation:
        counts = summary.setdefault(v["suite"], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += bool(v["success"])
        counts[2] += (not v["success"]) and bool(v["critical"])
        counts[3] += (not v["success"]) and not v["critical"]
    checked = {v["suite"]: (v["run_id"], v["checked_at"]) for v in validation}
    parts.append(
        "<h3>Validation per suite (layer)</h3>"
        + _table(
            ["suite", "run", "checked", "checks", "passed", "critical failed", "warnings"],
            (
                [
                    _esc(suite),
                    _esc(checked[suite][0]),
                    _esc(checked[suite][1]),
                    str(n),
                    str(ok),
                    f"<span class='{'bad' if crit else 'ok'}'>{crit}</span>",
                    f"<span class='{'warn' if warn else 'ok'}'>{warn}</span>",
                ]
                for suite, (n, ok, crit, warn) in summary.items()
            ),
            numeric=(3, 4, 5, 6),
        )
    )
    parts.append(
        "<h3>Failing expectations, with examples</h3>"
        + (
            "<div class='scroll'>"
            + _table(
                ["suite", "expectation", "column", "severity", "unexpected", "observed / examples"],
                (
                    [
                        _esc(v["suite"]),
                        _esc(v["expectation"]),
                        _esc(v["column_name"]),
                        "<span class='bad'>critical</span>"
                        if v["critical"]
                        else "<span class='warn'>warning</span>",
                        _fmt_int(v["unexpected_count"]),
                        f"<code>{_esc((v['observed_value'] or '')[:400])}</code>",
                    ]
                    for v in failing
                ),
                numeric=(4,),
            )
            + "</div>"
            if failing
            else "<p class='meta'>Every expectation of the latest validation passed.</p>"
        )
    )
    if data.errors:
        parts.append(
            "<h3>Queries that failed</h3>"
            + _table(["query", "error"], ([_esc(k), _esc(v)] for k, v in sorted(data.errors.items())))
        )
    return "\n".join(parts)


def _claims_html(data: DashboardData) -> str:
    claims = data.rows("claims")
    rows = []
    for c in claims:
        value = c["value"]
        if value is None:
            shown = "suppressed"
        elif c["unit"] == "ratio":
            shown = f"{value * 100:.1f}%"
        elif c["unit"] == "usd":
            shown = f"${value:,.0f}"
        elif c["unit"] == "percentage_points":
            shown = f"{value:+.1f} pp"
        else:
            shown = f"{value:,.0f}" if isinstance(value, int | float) else _esc(value)
        rows.append(
            f"<tr id='claim-{_esc(c['claim_id'])}'><td><code>{_esc(c['claim_id'])}</code></td>"
            f"<td class='num'>{shown}</td><td class='num'>{_fmt_int(c['n'])}</td><td>{_esc(c['period'])}</td>"
            f"<td>{_esc(c['panel'])}</td><td>{_esc(c['dedup_level'])}</td>"
            f"<td><details><summary>SQL</summary><pre>{_esc(c['sql'])}</pre></details></td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("claim id", "value", "n", "period", "panel", "dedup", "SQL"))
    return f"<div class='scroll' style='max-height:600px'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def render_html(data: DashboardData, panels: Sequence[Panel], js_bundle: str, *, built_at: str = "") -> str:
    """The whole page as one string: styles, scripts and chart data inline, nothing fetched."""
    s = data.settings
    banner = ""
    if data.is_sample:
        banner = (
            "<div class='banner' id='sample-banner' role='alert'>SYNTHETIC SAMPLE — "
            f"{_fmt_int(s.get('synthetic_postings'))} postings in this warehouse come from the bundled generator, "
            "not from real job boards. Do not quote these figures.</div>"
        )
    tiles = "".join(
        f"<div class='tile'><div class='l'>{_esc(t['label'])}</div><div class='v'>{_esc(t['value'])}</div>"
        f"<div class='d'>{_esc(t['detail'])}</div><div class='d'>{_claim_link(t['claim'])}</div></div>"
        for t in headline_tiles(data)
    )
    sections = []
    wide = {"title-growth", "top-skills", "salary"}
    for p in panels:
        claim_links = ", ".join(_claim_link(c) for c in p.claims[:8])
        sections.append(
            f"<section class='panel{' wide' if p.id in wide else ''}' id='panel-{p.id}'><h2>{_esc(p.title)}</h2>"
            f"<div class='chart' id='chart-{p.id}' data-chart='{p.id}'></div>"
            f"<p class='caption'>{_esc(p.caption)}</p>"
            + (f"<p class='caption'>Claims: {claim_links}</p>" if claim_links else "")
            + (
                f"<details><summary>SQL behind this chart</summary><pre>{_esc(p.sql)}</pre></details>"
                if p.sql
                else ""
            )
            + "</section>"
        )
    specs = {p.id: p.spec for p in panels if p.spec is not None}
    specs_json = json.dumps(specs, separators=(",", ":"), default=str).replace("</", "<\\/")
    title = "jobtrends — AI job market" + (" (SYNTHETIC SAMPLE)" if data.is_sample else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>{_esc(title)}</title>
<style>{_CSS}</style>
</head><body data-rendered="pending" data-sample="{str(data.is_sample).lower()}">
{banner}
<header><h1>{_esc(title)}</h1>
<p class="meta">As of {_esc(s.get("as_of_date"))} · taxonomy {_esc(s.get("taxonomy_version"))} · changes suppressed below a
base of {_esc(s.get("min_base"))} · repost window {_esc(s.get("repost_window_days"))} days · built {_esc(built_at)} from
the published marts. Hover a point for its value, n and claim id; click it to jump to the claim.</p></header>
<main>
<div class="tiles">{tiles}</div>
<div class="grid">{"".join(sections)}</div>
<h2 id="health">Data health</h2>
<section class="panel wide">{_health_html(data)}</section>
<h2 id="claims">Claims</h2>
<p class="meta">Every headline number, with the SQL that regenerates it from the published marts.</p>
<section class="panel wide">{_claims_html(data)}</section>
</main>
<footer><p class="meta">Charts: Vega-Lite via Altair; Vega, Vega-Lite and vega-embed (BSD-3-Clause) are inlined
below. Palette: Okabe &amp; Ito (colour-blind safe).</p></footer>
<script type="application/json" id="jt-specs">{specs_json}</script>
<script>{_script_text(js_bundle)}</script>
<script>{_EMBED_JS}</script>
</body></html>
"""
