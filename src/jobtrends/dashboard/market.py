"""Job-market panels (pure: rows in, specs out): headline tiles, title growth (monthly and YoY), distinct
titles, top skills per role and the two-skill comparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from jobtrends.dashboard.charts import (
    _WIDTH,
    NO_CLAIM,
    PALETTE,
    ROWS,
    Panel,
    _chart,
    _claim_index,
    _claim_or_none,
    _fmt_int,
    _fmt_pct,
    _href,
    _pct_and_shown,
    _period_label,
    _select_param,
    _suppressed_marks,
    _title,
    _with_href,
)
from jobtrends.dashboard.data import DashboardData


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
            pct, shown = _pct_and_shown(value)
            yoy_rows.append(
                {
                    "period": r["period_start"],
                    "role": r["role_name"],
                    "measure": kind,
                    "yoy_pct": pct,
                    "shown_pct": shown,
                    "status": f"suppressed (base below {min_base})" if pct is None else "published",
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
    role_param = _select_param("yoy_role", default_role, roles, "Role: ")
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
    suppressed = _suppressed_marks(base, "yoy_pct", 90).encode(x=x, y=alt.Y("shown_pct:Q"), tooltip=tooltip)
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
    p_role = _select_param("cmp_role", role_name, roles, "Role: ")
    p_a = _select_param("skill_a", first, skills, "Skill A: ")
    p_b = _select_param("skill_b", second, skills, "Skill B: ")
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
