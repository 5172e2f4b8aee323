"""Pay panels (pure): salary ranges per role and band, and the wage premium."""

from __future__ import annotations

import altair as alt

from jobtrends.dashboard.charts import (
    _WIDTH,
    BANDS,
    NO_CLAIM,
    PALETTE,
    ROWS,
    Panel,
    _chart,
    _claim_index,
    _claim_or_none,
    _fmt_int,
    _href,
    _pct_and_shown,
    _suppressed_marks,
    _title,
    _with_href,
)
from jobtrends.dashboard.data import DashboardData


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
        pct, shown = _pct_and_shown(r["wage_premium"])
        values.append(
            {
                "comparison": label,
                "premium_pct": pct,
                "shown_pct": shown,
                "status": "suppressed (a side below min base)" if pct is None else "published",
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
    crosses = _suppressed_marks(base, "premium_pct", 80).encode(x="shown_pct:Q")
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
