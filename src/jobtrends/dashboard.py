"""``jobtrends dashboard``: the published marts as one self-contained, offline HTML page.

Charts are Vega-Lite specs made with ``altair`` (pure functions of the rows that ``sql/dashboard/*.sql``
read from a read-only connection); the Vega, Vega-Lite and vega-embed JavaScript is inlined from
``vl-convert-python``'s bundle, so the file makes no request when opened. Every chart says its units,
period, dedup level and n, and its tooltips give the value, n and the claim id (``marts.claims``) where
a claim stands behind the point.

:func:`load_data` (I/O) → :func:`build_panels` (pure) → :func:`render_html` (pure) → :func:`write_dashboard`.
"""

from __future__ import annotations

import html
import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import altair as alt

from jobtrends import warehouse

__all__ = [
    "PALETTE",
    "DashboardData",
    "Panel",
    "build_panels",
    "load_data",
    "render_html",
    "vega_bundle",
    "write_dashboard",
]

#: Okabe & Ito's colour-blind-safe palette (blue, orange, green, pink, sky blue, vermillion, yellow, black).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
SUPPRESSED_COLOUR = "#999999"
BANDS: tuple[str, ...] = ("Entry-Level", "Mid-Level", "Senior+")
QUERIES: tuple[str, ...] = (
    "settings",
    "claims",
    "title_growth",
    "distinct_titles",
    "skills",
    "salary",
    "wage_premium",
    "sources",
    "loaded",
    "volumes",
    "quarantine",
    "validation",
)
#: Queries the report already has: the dashboard reads the same files (``sql/report/``).
REPORT_QUERIES = frozenset({"settings", "claims"})
NO_CLAIM = "none (series point; see the chart's SQL)"
#: Validate every spec against the Vega-Lite JSON schema (the unit tests do; it costs seconds per build).
VALIDATE_SPECS = False
_WIDTH = 430


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class DashboardData:
    """The rows of every ``sql/dashboard/<name>.sql`` query (settings and claims: ``sql/report/``), plus the query texts."""

    tables: Mapping[str, list[dict[str, Any]]]
    sql: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict[str, Any]]:
        return list(self.tables.get(name, []))

    @property
    def settings(self) -> dict[str, Any]:
        rows = self.rows("settings")
        return rows[0] if rows else {}

    @property
    def is_sample(self) -> bool:
        return bool(self.settings.get("contains_synthetic_sample"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def load_data(con: Any, sql_dir: Path) -> DashboardData:
    """Run the dashboard queries on a (read-only) connection; a query that fails is reported, not fatal."""
    tables: dict[str, list[dict[str, Any]]] = {}
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in QUERIES:
        folder = "report" if name in REPORT_QUERIES else "dashboard"
        text = (Path(sql_dir) / folder / f"{name}.sql").read_text()
        texts[name] = text
        try:
            cur = con.execute(text)
            cols = [d[0] for d in cur.description]
            tables[name] = [{c: _plain(v) for c, v in zip(cols, r, strict=True)} for r in cur.fetchall()]
        except Exception as exc:  # a missing ops table must not hide the charts
            tables[name] = []
            errors[name] = str(exc).splitlines()[0][:300]
    return DashboardData(tables=tables, sql=texts, errors=errors)


# ----------------------------------------------------------------------------- panels


@dataclass
class Panel:
    """One chart: the Vega-Lite spec and what the page says around it."""

    id: str
    title: str
    caption: str
    spec: dict[str, Any] | None
    claims: list[str] = field(default_factory=list)
    sql: str = ""


def _fmt_int(value: Any) -> str:
    return "–" if value is None else f"{int(value):,}"


def _fmt_pct(value: Any, signed: bool = True) -> str:
    if value is None:
        return "suppressed"
    return f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"


def _period_label(rows: Sequence[Mapping[str, Any]], key: str = "period_start", grain: str = "") -> str:
    starts = sorted({str(r[key]) for r in rows if r.get(key)})
    if not starts:
        return "no data"
    label = f"{starts[0][:7]} – {starts[-1][:7]}" if len(starts) > 1 else starts[0][:7]
    return f"{grain}s {label}" if grain else label


def _claim_index(data: DashboardData) -> dict[str, dict[str, Any]]:
    return {c["claim_id"]: c for c in data.rows("claims")}


def _claim_or_none(claims: Mapping[str, Any], claim_id: str) -> str:
    return claim_id if claim_id in claims else NO_CLAIM


def _subtitle(*parts: str, width: int = 95) -> list[str]:
    """Subtitle parts joined with " · ", wrapped into lines of about ``width`` characters."""
    lines: list[str] = []
    for part in (p for p in parts if p):
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


#: The name of the dataset every chart reads; its rows go into the spec's top-level ``datasets`` (not through
#: altair's object model, which costs seconds on a few thousand rows).
ROWS = "rows"


def _chart(spec: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    spec = (
        spec.configure_range(category=list(PALETTE))
        .configure_view(stroke="#dddddd")
        .configure_title(fontSize=14, subtitleFontSize=11, subtitleColor="#5b5b5b")
    )
    out = spec.to_dict(validate=VALIDATE_SPECS)
    out.pop("$schema", None)  # a URL string only; dropped so nothing in the page names a network address
    out["datasets"] = {ROWS: rows}
    return out


def _title(text: str, *subtitle: str) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=_subtitle(*subtitle), anchor="start")


def _href() -> alt.Href:
    # Points that carry a claim link to its row in the claims table (an in-page anchor, no request).
    return alt.Href("claim_href:N")


def _with_href(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        r = dict(r)
        r["claim_href"] = f"#claim-{r['claim']}" if r.get("claim") not in (None, NO_CLAIM) else ""
        out.append(r)
    return out


def headline_tiles(data: DashboardData) -> list[dict[str, Any]]:
    """AI share of new unique roles, its YoY change (plain and fixed panel) for the latest claimed quarter,
    and the as-of date; each tile names its claim."""
    claims = data.rows("claims")
    tiles: list[dict[str, Any]] = []

    def latest(prefix: str, role: str = "all_ai", grain: str = "quarter") -> dict[str, Any] | None:
        found = [
            c
            for c in claims
            if c["claim_id"].startswith(f"{prefix}:{grain}:") and c["claim_id"].endswith(f":{role}")
        ]
        return max(found, key=lambda c: c["claim_id"]) if found else None

    share = latest("share_of_new_unique_roles")
    yoy = latest("growth_yoy")
    panel = latest("growth_yoy_panel")
    for label, claim, signed in (
        ("AI share of new unique roles", share, False),
        ("AI roles, year over year", yoy, True),
        ("AI roles, year over year (fixed panel)", panel, True),
    ):
        if claim is None:
            tiles.append({"label": label, "value": "–", "detail": "no claim published", "claim": None})
            continue
        detail = f"{claim['period']} · n = {_fmt_int(claim['n'])}"
        if claim["claim_id"].startswith("growth_yoy_panel"):
            detail += f" · {claim['panel']}"
        tiles.append(
            {
                "label": label,
                "value": _fmt_pct(claim["value"], signed=signed),
                "detail": detail,
                "claim": claim["claim_id"],
            }
        )
    s = data.settings
    tiles.append(
        {
            "label": "As of",
            "value": str(s.get("as_of_date") or "–"),
            "detail": f"taxonomy {s.get('taxonomy_version', '?')} · min base {s.get('min_base', '?')}",
            "claim": None,
        }
    )
    return tiles


def title_growth_panels(data: DashboardData) -> list[Panel]:
    rows = data.rows("title_growth")
    claims = _claim_index(data)
    settings = data.settings
    min_base = settings.get("min_base", "?")
    out: list[Panel] = []

    monthly = [r for r in rows if r["period_grain"] == "month" and r["is_complete"]]
    series = _with_href(
        {
            "period": r["period_start"],
            "role": r["role_name"],
            "new_unique_roles": r["new_unique_roles"],
            "n": r["new_unique_roles"],
            "claim": _claim_or_none(claims, f"new_unique_roles:month:{r['period_start']}:{r['role']}"),
        }
        for r in monthly
        if r["role"] != "all_ai"
    )
    n_total = sum(r["new_unique_roles"] or 0 for r in monthly if r["role"] == "all_ai")
    period = _period_label(monthly, grain="month")
    chart = (
        alt.Chart(alt.Data(name=ROWS))
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount=4)),
            y=alt.Y("new_unique_roles:Q", title=None),
            color=alt.value(PALETTE[0]),
            href=_href(),
            tooltip=[
                alt.Tooltip("role:N", title="role"),
                alt.Tooltip("period:T", title="month", format="%Y-%m"),
                alt.Tooltip("new_unique_roles:Q", title="value (new unique roles)", format=","),
                alt.Tooltip("n:Q", title="n", format=","),
                alt.Tooltip("claim:N", title="claim"),
            ],
        )
        .properties(width=165, height=90)
        .facet(facet=alt.Facet("role:N", title=None, header=alt.Header(labelFontSize=11)), columns=5)
        .resolve_scale(y="independent")
        .properties(
            title=_title(
                "New unique roles per month, by AI role",
                "unit: new unique roles",
                period,
                "dedup: unique roles",
                f"n = {n_total:,}",
            )
        )
    )
    out.append(
        Panel(
            id="title-growth",
            title="Title growth: new unique roles per AI role",
            caption=f"Unit: new unique roles per month (deduplicated across sources and reposts). {period}. "
            f"n = {n_total:,} new unique AI roles. Complete months only; one panel per role, each with its own scale.",
            spec=_chart(chart, series),
            sql=data.sql.get("title_growth", ""),
        )
    )

    quarterly = [
        r
        for r in rows
        if r["period_grain"] == "quarter" and r["yoy_base_new_unique_roles"] and r["is_complete"]
    ]
    yoy_rows = []
    for r in quarterly:
        for kind, value, claim_prefix in (
            ("plain", r["yoy_change"], "growth_yoy"),
            ("fixed panel", r["yoy_panel_change"], "growth_yoy_panel"),
        ):
            suppressed = value is None
            yoy_rows.append(
                {
                    "period": r["period_start"],
                    "role": r["role_name"],
                    "measure": kind,
                    "yoy_pct": None if suppressed else round(value * 100, 1),
                    "shown_pct": 0.0 if suppressed else round(value * 100, 1),
                    "status": f"suppressed (base below {min_base})" if suppressed else "published",
                    "n": (r["new_unique_roles"] or 0) + (r["yoy_base_new_unique_roles"] or 0),
                    "base": r["yoy_base_new_unique_roles"],
                    "panel_companies": r["yoy_panel_companies"] if kind == "fixed panel" else None,
                    "claim": _claim_or_none(
                        claims, f"{claim_prefix}:quarter:{r['period_start']}:{r['role']}"
                    ),
                }
            )
    yoy_rows = _with_href(yoy_rows)
    n_yoy = sum(
        (r["new_unique_roles"] or 0) + (r["yoy_base_new_unique_roles"] or 0)
        for r in quarterly
        if r["role"] == "all_ai"
    )
    period = _period_label(quarterly, grain="quarter")
    roles = sorted({r["role"] for r in yoy_rows}, key=lambda n: (n != "All AI roles", n))
    default_role = next((r["role_name"] for r in quarterly if r["role"] == "ai_ml_engineer"), None)
    default_role = default_role or (roles[0] if roles else "")
    role_param = alt.param(
        name="yoy_role",
        value=default_role,
        bind=alt.binding_select(options=roles or [""], name="Role: "),
    )
    base = alt.Chart(alt.Data(name=ROWS)).transform_filter("datum.role == yoy_role")
    tooltip = [
        alt.Tooltip("role:N"),
        alt.Tooltip("period:T", title="quarter", format="%Y-%m"),
        alt.Tooltip("measure:N"),
        alt.Tooltip("yoy_pct:Q", title="value (YoY %)", format="+.1f"),
        alt.Tooltip("status:N"),
        alt.Tooltip("n:Q", title="n (this + base period)", format=","),
        alt.Tooltip("base:Q", title="base (year earlier)", format=","),
        alt.Tooltip("panel_companies:Q", title="panel companies"),
        alt.Tooltip("claim:N"),
    ]
    colour = alt.Color(
        "measure:N",
        title="change",
        scale=alt.Scale(domain=["plain", "fixed panel"], range=[PALETTE[0], PALETTE[1]]),
    )
    x = alt.X("period:T", title=None, timeUnit="yearquarter", axis=alt.Axis(labelAngle=0))
    lines = (
        base.transform_filter("datum.yoy_pct != null")
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("yoy_pct:Q", title="year-over-year change, %"),
            color=colour,
            tooltip=tooltip,
            href=_href(),
        )
    )
    suppressed = (
        base.transform_filter("datum.yoy_pct == null")
        .mark_point(shape="cross", size=90, color=SUPPRESSED_COLOUR, filled=True)
        .encode(x=x, y=alt.Y("shown_pct:Q"), tooltip=tooltip)
    )
    panel_size = (
        base.transform_filter("datum.measure == 'fixed panel'")
        .mark_bar(color=PALETTE[4], opacity=0.8)
        .encode(
            x=x,
            y=alt.Y("panel_companies:Q", title="fixed-panel companies"),
            tooltip=tooltip,
        )
        .properties(width=_WIDTH, height=70)
    )
    yoy_chart = (
        alt.vconcat(
            alt.layer(lines, suppressed).properties(width=_WIDTH, height=220),
            panel_size,
        )
        .add_params(role_param)
        .properties(
            title=_title(
                "Year-over-year change of new unique roles, by quarter",
                "unit: % change vs the same quarter a year earlier",
                period,
                "dedup: unique roles",
                f"n = {n_yoy:,} unique roles (all AI roles, these quarters and their bases)",
                f"grey × = suppressed (base below {min_base})",
            )
        )
    )
    out.append(
        Panel(
            id="title-yoy",
            title="Title growth: year over year, plain and on the fixed panel",
            caption=f"Unit: % change of new unique roles vs the same quarter a year earlier; {period}. "
            "Fixed panel = companies with new roles in both quarters (bars: panel size). "
            f"Changes on a base below {min_base} are suppressed and drawn as a grey × on the zero line. "
            "n in the tooltip = unique roles in both quarters.",
            spec=_chart(yoy_chart, yoy_rows),
            claims=sorted(
                {r["claim"] for r in yoy_rows if r["claim"] != NO_CLAIM and r["role"] == "All AI roles"}
            ),
            sql=data.sql.get("title_growth", ""),
        )
    )
    return out


def distinct_titles_panel(data: DashboardData) -> Panel:
    rows = data.rows("distinct_titles")
    claims = _claim_index(data)
    values = _with_href(
        {
            "period": r["period_start"],
            "quarter": f"{r['period_start'][:4]}-Q{(int(r['period_start'][5:7]) + 2) // 3}",
            "distinct_titles": r["distinct_titles"],
            "n": r["distinct_titles"],
            "yoy": _fmt_pct(r["yoy_change"]) if r["yoy_base_distinct_titles"] else "no base",
            "complete": "complete" if r["is_complete"] else "partial quarter",
            "claim": _claim_or_none(claims, f"distinct_titles_yoy:quarter:{r['period_start']}:all_ai"),
        }
        for r in rows
    )
    period = _period_label(rows, grain="quarter")
    complete = [r for r in rows if r["is_complete"]]
    latest = complete[-1]["distinct_titles"] if complete else 0
    chart = (
        alt.Chart(alt.Data(name=ROWS))
        .mark_bar(color=PALETTE[2])
        .encode(
            x=alt.X("quarter:O", title=None, axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("distinct_titles:Q", title="distinct normalised titles"),
            opacity=alt.Opacity(
                "complete:N",
                scale=alt.Scale(domain=["complete", "partial quarter"], range=[1, 0.45]),
                title=None,
            ),
            href=_href(),
            tooltip=[
                alt.Tooltip("quarter:N"),
                alt.Tooltip("distinct_titles:Q", title="value (distinct titles)"),
                alt.Tooltip("n:Q", title="n (titles)"),
                alt.Tooltip("yoy:N", title="YoY"),
                alt.Tooltip("complete:N", title="period"),
                alt.Tooltip("claim:N"),
            ],
        )
        .properties(
            width=_WIDTH,
            height=200,
            title=_title(
                "Distinct AI job titles per quarter",
                "unit: distinct normalised titles",
                period,
                "dedup: postings",
                f"n = {latest:,} titles in the latest complete quarter",
            ),
        )
    )
    return Panel(
        id="distinct-titles",
        title="Distinct AI titles over time",
        caption=f"Unit: distinct normalised titles among new AI-role postings; {period}; dedup level: postings. "
        "A paler bar is a quarter not yet complete.",
        spec=_chart(chart, values),
        claims=[v["claim"] for v in values if v["claim"] != NO_CLAIM],
        sql=data.sql.get("distinct_titles", ""),
    )


def top_skills_panel(data: DashboardData, top: int = 5) -> Panel:
    """Top skills per AI role for the latest claimed quarter, with the pp change (from the claims)."""
    claims = data.rows("claims")
    by_id = {c["claim_id"]: c for c in claims}
    share_claims = [c for c in claims if c["claim_id"].startswith("skill_share:")]
    rows: list[dict[str, Any]] = []
    per_role: dict[str, list[dict[str, Any]]] = {}
    for c in share_claims:
        _, grain, start, role, skill = c["claim_id"].split(":", 4)
        change = by_id.get(f"skill_share_change_pp:{grain}:{start}:{role}:{skill}", {})
        per_role.setdefault(role, []).append(
            {
                "role": c["role_name"],
                "skill": skill,
                "share_pct": round((c["value"] or 0) * 100, 1),
                "change_pp": change.get("value"),
                "change": "suppressed" if change.get("value") is None else f"{change['value']:+.1f} pp",
                "mentions": c["numerator"],
                "n": c["denominator"],
                "period": c["period"],
                "claim": c["claim_id"],
            }
        )
    for role in sorted(per_role, key=lambda r: (r != "all_ai", r)):
        ranked = sorted(per_role[role], key=lambda s: (-s["share_pct"], s["skill"]))[:top]
        rows.extend(ranked)
    rows = _with_href(rows)
    period = rows[0]["period"] if rows else "no data"
    n_total = int(sum({r["role"]: r["n"] or 0 for r in rows}.values()))
    base = alt.Chart().encode(
        y=alt.Y("skill:N", title=None, sort=alt.EncodingSortField("share_pct", order="descending")),
        tooltip=[
            alt.Tooltip("role:N"),
            alt.Tooltip("skill:N"),
            alt.Tooltip("share_pct:Q", title="value (share, %)", format=".1f"),
            alt.Tooltip("change:N", title="change vs a year earlier"),
            alt.Tooltip("mentions:Q", title="roles naming it", format=","),
            alt.Tooltip("n:Q", title="n (the role's unique roles)", format=","),
            alt.Tooltip("claim:N"),
        ],
    )
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("share_pct:Q", title="share of the role's new unique roles, %"), href=_href()
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(x="share_pct:Q", text="change:N")
    chart = (
        alt.layer(bars, labels, data=alt.Data(name=ROWS))
        .properties(width=190, height=alt.Step(14))
        .facet(facet=alt.Facet("role:N", title=None), columns=3)
        .resolve_scale(y="independent")
        .properties(
            title=_title(
                f"Top {top} skills per AI role, with the change in percentage points",
                "unit: % of the role's new unique roles naming the skill",
                period,
                "dedup: unique roles",
                f"n = {n_total:,} unique roles",
            )
        )
    )
    return Panel(
        id="top-skills",
        title="Skills: top skills per AI role",
        caption=f"Unit: share of the role's new unique roles that name the skill, {period}; the label is the "
        "change in percentage points against a year earlier (suppressed on a thin base).",
        spec=_chart(chart, rows),
        claims=[r["claim"] for r in rows if r["role"] == "All AI roles"][:top],
        sql="\n".join(sorted({by_id[r["claim"]]["sql"] for r in rows if by_id[r["claim"]].get("sql")})[:3]),
    )


def _default_pair(rows: Sequence[Mapping[str, Any]], role: str) -> tuple[str, str]:
    skills = {r["skill_id"] for r in rows if r["role"] == role}
    if {"pytorch", "tensorflow"} <= skills:
        return "pytorch", "tensorflow"
    ranked = sorted(
        {(r["skill_id"], r["skill_rank"]) for r in rows if r["role"] == role}, key=lambda s: (s[1], s[0])
    )
    names = list(dict.fromkeys(s for s, _ in ranked))
    return (names[0] if names else "", names[1] if len(names) > 1 else "")


def skill_comparison_panel(data: DashboardData) -> Panel:
    rows = [r for r in data.rows("skills") if r["is_complete"]]
    claims = _claim_index(data)
    role = "ai_ml_engineer" if any(r["role"] == "ai_ml_engineer" for r in rows) else "all_ai"
    first, second = _default_pair(rows, role)
    role_name = next((r["role_name"] for r in rows if r["role"] == role), role)
    values = _with_href(
        {
            "period": r["period_start"],
            "role": r["role_name"],
            "skill": r["skill_id"],
            "share_pct": round((r["share_of_unique_roles"] or 0) * 100, 1),
            "mentions": r["mentions_unique_roles"],
            "n": r["role_unique_roles"],
            "complete": bool(r["is_complete"]),
            "claim": _claim_or_none(
                claims, f"skill_share:quarter:{r['period_start']}:{r['role']}:{r['skill_id']}"
            ),
        }
        for r in rows
    )
    skills = sorted({r["skill_id"] for r in rows})
    roles = sorted({r["role_name"] for r in rows}, key=lambda n: (n != "All AI roles", n))
    p_role = alt.param(
        name="cmp_role", value=role_name, bind=alt.binding_select(options=roles or [""], name="Role: ")
    )
    p_a = alt.param(
        name="skill_a", value=first, bind=alt.binding_select(options=skills or [""], name="Skill A: ")
    )
    p_b = alt.param(
        name="skill_b", value=second, bind=alt.binding_select(options=skills or [""], name="Skill B: ")
    )
    period = _period_label(rows, grain="quarter")
    n_role = sum(
        r["role_unique_roles"] or 0
        for r in {(r["role"], r["period_start"]): r for r in rows}.values()
        if r["role"] == role
    )
    chart = (
        alt.Chart(alt.Data(name=ROWS))
        .transform_filter("datum.role == cmp_role && (datum.skill == skill_a || datum.skill == skill_b)")
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title=None, timeUnit="yearquarter", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share_pct:Q", title="share of the role's new unique roles, %"),
            color=alt.Color("skill:N", scale=alt.Scale(range=[PALETTE[5], PALETTE[0]]), title="skill"),
            strokeDash=alt.StrokeDash("skill:N", title="skill"),
            href=_href(),
            tooltip=[
                alt.Tooltip("role:N"),
                alt.Tooltip("skill:N"),
                alt.Tooltip("period:T", title="quarter", timeUnit="yearquarter"),
                alt.Tooltip("share_pct:Q", title="value (share, %)", format=".1f"),
                alt.Tooltip("mentions:Q", title="roles naming it", format=","),
                alt.Tooltip("n:Q", title="n (the role's unique roles)", format=","),
                alt.Tooltip("claim:N"),
            ],
        )
        .add_params(p_role, p_a, p_b)
        .properties(
            width=_WIDTH,
            height=220,
            title=_title(
                f"{first or 'skill A'} vs {second or 'skill B'} ({role_name}) — pick any two",
                "unit: % of the role's new unique roles naming the skill",
                period,
                "dedup: unique roles",
                f"n = {n_role:,} unique roles ({role_name})",
            ),
        )
    )
    return Panel(
        id="skill-comparison",
        title="Skills: two skills over time",
        caption=f"Unit: share of the role's new unique roles naming each skill, per quarter; {period}. "
        "Complete quarters only. Pick the role and the two skills below the chart (skills that ranked in a role's top 10 in some quarter).",
        spec=_chart(chart, values),
        sql=data.sql.get("skills", ""),
    )


def salary_panel(data: DashboardData) -> Panel:
    rows = data.rows("salary")
    claims = _claim_index(data)
    values = []
    for r in rows:
        claim_id = f"salary_min:year:{r['period_start']}:{r['role']}:{r['band']}"
        values.append(
            {
                "role": r["role_name"],
                "band": r["band"],
                "pay_basis": "employer-stated" if r["pay_basis"] == "employer_stated" else "estimated",
                "low_k": round((r["median_annual_min_usd"] or 0) / 1000, 1),
                "high_k": round((r["median_annual_max_usd"] or 0) / 1000, 1),
                "mid_k": round((r["median_midpoint_usd"] or 0) / 1000, 1),
                "n": r["n_with_pay"],
                "thin": "below min base" if r["is_below_min_base"] else "",
                "claim": _claim_or_none(claims, claim_id)
                if r["pay_basis"] == "employer_stated"
                else NO_CLAIM,
                "period": r["period"],
            }
        )
    values = _with_href(values)
    period = rows[0]["period"] if rows else "no data"
    n_stated = sum(v["n"] or 0 for v in values if v["pay_basis"] == "employer-stated")
    n_est = sum(v["n"] or 0 for v in values if v["pay_basis"] == "estimated")
    no_estimates = (
        "" if n_est else " This warehouse holds no estimated pay, so only the employer-stated panel shows."
    )
    tooltip = [
        alt.Tooltip("role:N"),
        alt.Tooltip("band:N"),
        alt.Tooltip("pay_basis:N", title="pay"),
        alt.Tooltip("low_k:Q", title="median min, $k"),
        alt.Tooltip("high_k:Q", title="median max, $k"),
        alt.Tooltip("mid_k:Q", title="value (median midpoint, $k)"),
        alt.Tooltip("n:Q", title="n (roles with pay)", format=","),
        alt.Tooltip("thin:N", title="note"),
        alt.Tooltip("claim:N"),
    ]
    colour = alt.Color(
        "band:N", scale=alt.Scale(domain=list(BANDS), range=[PALETTE[4], PALETTE[0], PALETTE[5]])
    )
    y_off = alt.YOffset("band:N", scale=alt.Scale(domain=list(BANDS)))
    base = alt.Chart().encode(y=alt.Y("role:N", title=None), yOffset=y_off, color=colour, tooltip=tooltip)
    ranges = base.mark_rule(strokeWidth=5).encode(
        x=alt.X("low_k:Q", title="annual pay, thousand USD (median min – median max)"),
        x2="high_k:Q",
        href=_href(),
    )
    mids = base.mark_tick(color="black", thickness=1.5, size=8).encode(x="mid_k:Q")
    chart = (
        alt.layer(ranges, mids, data=alt.Data(name=ROWS))
        .properties(width=300, height=alt.Step(10))
        .facet(column=alt.Column("pay_basis:N", title=None, sort=["employer-stated", "estimated"]))
        .properties(
            title=_title(
                "Salary ranges per AI role and band",
                "unit: USD a year, median min – median max (tick: median midpoint)",
                f"year {period}",
                "dedup: unique roles",
                f"n = {n_stated:,} employer-stated, {n_est:,} estimated",
            )
        )
    )
    return Panel(
        id="salary",
        title="Salary bands: Entry / Mid / Senior+",
        caption=f"Unit: annual pay in USD (converted at the rate of the posting's month), {period}; dedup: "
        "unique roles. Employer-stated pay and site estimates are separate panels, never mixed."
        + no_estimates,
        spec=_chart(chart, values),
        claims=[v["claim"] for v in values if v["claim"] != NO_CLAIM and v["role"] == "All AI roles"],
        sql=data.sql.get("salary", ""),
    )


def wage_premium_panel(data: DashboardData) -> Panel:
    rows = data.rows("wage_premium")
    claims = _claim_index(data)
    values = []
    band_order = {b: i for i, b in enumerate(("All", *BANDS))}
    rows = sorted(
        (r for r in rows if r["comparison"] != "ai_vs_comparable" or r["band"] in band_order),
        key=lambda r: (
            r["comparison"] != "ai_vs_comparable",
            band_order.get(r["band"], 9),
            r["wage_premium"] is None,
            r["role"] != "all_ai",
            r["role_name"] or "",
        ),
    )
    for r in rows:
        if r["pay_basis"] != "employer_stated":
            continue
        if r["comparison"] == "ai_vs_comparable":
            label = f"AI vs comparable roles · {r['band']}"
            claim_id = f"wage_premium:year:{r['period_start']}:{r['role']}"
        else:
            label = f"AI skill vs none · {r['role_name']}"
            claim_id = f"wage_premium_skill:year:{r['period_start']}:{r['role']}"
        suppressed = r["wage_premium"] is None
        values.append(
            {
                "comparison": label,
                "premium_pct": None if suppressed else round(r["wage_premium"] * 100, 1),
                "shown_pct": 0.0 if suppressed else round(r["wage_premium"] * 100, 1),
                "status": "suppressed (a side below min base)" if suppressed else "published",
                "n_treated": r["n_treated"],
                "n_control": r["n_control"],
                "n": (r["n_treated"] or 0) + (r["n_control"] or 0),
                "n_label": f"n = {_fmt_int(r['n_treated'])} vs {_fmt_int(r['n_control'])}",
                "medians": f"${(r['median_treated_usd'] or 0) / 1000:,.0f}k vs ${(r['median_control_usd'] or 0) / 1000:,.0f}k",
                "claim": _claim_or_none(claims, claim_id),
                "period": r["period"],
            }
        )
    values = _with_href(values)
    period = values[0]["period"] if values else "no data"
    tooltip = [
        alt.Tooltip("comparison:N"),
        alt.Tooltip("premium_pct:Q", title="value (premium, %)", format="+.1f"),
        alt.Tooltip("status:N"),
        alt.Tooltip("medians:N", title="median pay, treated vs control"),
        alt.Tooltip("n_treated:Q", title="n treated", format=","),
        alt.Tooltip("n_control:Q", title="n control", format=","),
        alt.Tooltip("claim:N"),
    ]
    base = alt.Chart().encode(y=alt.Y("comparison:N", title=None, sort=None), tooltip=tooltip)
    bars = (
        base.transform_filter("datum.premium_pct != null")
        .mark_bar(color=PALETTE[2])
        .encode(x=alt.X("premium_pct:Q", title="wage premium, % (median pay midpoint)"), href=_href())
    )
    crosses = (
        base.transform_filter("datum.premium_pct == null")
        .mark_point(shape="cross", size=80, color=SUPPRESSED_COLOUR, filled=True)
        .encode(x="shown_pct:Q")
    )
    labels = base.mark_text(align="left", dx=4, fontSize=10).encode(x="shown_pct:Q", text="n_label:N")
    n_total = sum(v["n"] for v in values)
    chart = alt.layer(bars, crosses, labels, data=alt.Data(name=ROWS)).properties(
        width=_WIDTH - 160,
        height=alt.Step(18),
        title=_title(
            "Wage premium: AI vs comparable roles, and AI skills within a role",
            "unit: % (median treated / median control − 1), employer-stated pay",
            f"year {period}",
            "dedup: unique roles",
            f"n = {n_total:,} (both sides; labels: treated vs control)",
        ),
    )
    return Panel(
        id="wage-premium",
        title="Wage premium",
        caption=f"Unit: median annual pay midpoint of the treated side over the control side, minus one; year "
        f"{period}; employer-stated pay. Labels give n on both sides; a grey × is suppressed.",
        spec=_chart(chart, values),
        claims=[v["claim"] for v in values if v["claim"] != NO_CLAIM][:6],
        sql=data.sql.get("wage_premium", ""),
    )


def loaded_panel(data: DashboardData) -> Panel:
    rows = data.rows("loaded")
    values = [
        {
            "run_date": r["run_date"],
            "source": r["source"],
            "postings": r["postings"],
            "n": r["postings"],
            "files": r["files"],
            "errors": r["errors"],
            "claim": "none (operational count)",
        }
        for r in rows
    ]
    total = sum(r["postings"] or 0 for r in rows)
    period = _period_label(rows, key="run_date")
    chart = (
        alt.Chart(alt.Data(name=ROWS))
        .mark_bar()
        .encode(
            x=alt.X(
                "run_date:T",
                title=None,
                timeUnit="yearmonthdate",
                axis=alt.Axis(format="%Y-%m", labelAngle=0),
            ),
            y=alt.Y("sum(postings):Q", title="postings loaded (records)"),
            color=alt.Color("source:N", scale=alt.Scale(range=list(PALETTE)), title="source"),
            tooltip=[
                alt.Tooltip("run_date:T", title="landing date", timeUnit="yearmonthdate"),
                alt.Tooltip("source:N"),
                alt.Tooltip("postings:Q", title="value (postings)", format=","),
                alt.Tooltip("n:Q", format=","),
                alt.Tooltip("files:Q", title="landing files"),
                alt.Tooltip("errors:Q", title="records quarantined at load"),
                alt.Tooltip("claim:N"),
            ],
        )
        .properties(
            width=_WIDTH,
            height=160,
            title=_title(
                "Postings loaded into the raw layer, per landing date",
                "unit: posting records (before dedup)",
                period,
                "dedup: none (records as fetched)",
                f"n = {total:,}",
            ),
        )
    )
    return Panel(
        id="loaded",
        title="Data health: postings loaded",
        caption=f"Unit: posting records in the landing files, per landing date and source kind; {period}.",
        spec=_chart(chart, values),
        sql=data.sql.get("loaded", ""),
    )


def validation_panel(data: DashboardData) -> Panel:
    rows = data.rows("validation")
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        status = "passed" if r["success"] else ("critical failure" if r["critical"] else "warning")
        counts[(r["suite"], status)] = counts.get((r["suite"], status), 0) + 1
    values = [
        {"suite": s, "status": st, "checks": n, "n": n, "claim": "none (validation result)"}
        for (s, st), n in sorted(counts.items())
    ]
    total = sum(counts.values())
    chart = (
        alt.Chart(alt.Data(name=ROWS))
        .mark_bar()
        .encode(
            y=alt.Y("suite:N", title=None),
            x=alt.X("sum(checks):Q", title="expectations (latest validation of each suite)"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["passed", "warning", "critical failure"],
                    range=[PALETTE[2], PALETTE[1], PALETTE[5]],
                ),
            ),
            tooltip=[
                alt.Tooltip("suite:N"),
                alt.Tooltip("status:N"),
                alt.Tooltip("checks:Q", title="value (checks)"),
                alt.Tooltip("n:Q"),
                alt.Tooltip("claim:N"),
            ],
        )
        .properties(
            width=_WIDTH - 140,
            height=alt.Step(18),
            title=_title(
                "Validation results per suite (Great Expectations)",
                "unit: expectations",
                "latest run of each suite",
                "layers: raw, normalised, marts, drift",
                "dedup: not applicable (checks)",
                f"n = {total:,} checks",
            ),
        )
    )
    return Panel(
        id="validation",
        title="Data health: validation",
        caption="Unit: expectations of the latest validation of each suite; failures and their examples are "
        "listed below the chart.",
        spec=_chart(chart, values),
        sql=data.sql.get("validation", ""),
    )


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


# ----------------------------------------------------------------------------- page

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
        s = summary.setdefault(v["suite"], [0, 0, 0, 0])
        s[0] += 1
        s[1] += bool(v["success"])
        s[2] += (not v["success"]) and bool(v["critical"])
        s[3] += (not v["success"]) and not v["critical"]
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


# ----------------------------------------------------------------------------- bundle and writing


def _vegalite_version() -> str | None:
    """The Vega-Lite version altair writes specs for, if vl-convert ships it (``"6.4"``)."""
    import vl_convert

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vl_convert.get_vegalite_versions() else None


def vega_bundle(cache_dir: Path | None = None) -> str:
    """The vega-embed + Vega-Lite + Vega JavaScript bundle (``vl_convert.javascript_bundle``).

    Bundling takes several seconds, so the result is cached in ``cache_dir`` keyed by the versions.
    """
    import vl_convert

    vl = _vegalite_version()
    key = f"vega-bundle-vlc{vl_convert.__version__}-vl{vl or 'default'}.js"
    if cache_dir is not None:
        cached = Path(cache_dir) / key
        if cached.is_file():
            return cached.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle(vl_version=vl) if vl else vl_convert.javascript_bundle()
    if cache_dir is not None:
        try:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            tmp = Path(cache_dir) / f".{key}.{uuid.uuid4().hex[:8]}"
            tmp.write_text(bundle, encoding="utf-8")
            os.replace(tmp, Path(cache_dir) / key)
        except OSError:  # a read-only cache only costs the next build the bundling again
            pass
    return bundle


def bundle_cache_dir() -> Path:
    """Where the bundle is cached: one per user and machine (``$JOBTRENDS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/jobtrends``), so a new data folder does not pay the bundling again."""
    explicit = os.environ.get("JOBTRENDS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jobtrends"


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
