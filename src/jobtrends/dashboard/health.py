"""Data-health panels (pure): postings loaded per landing date, and validation results per suite."""

from __future__ import annotations

import altair as alt

from jobtrends.dashboard.charts import (
    _WIDTH,
    PALETTE,
    ROWS,
    Panel,
    _chart,
    _period_label,
    _title,
)
from jobtrends.dashboard.data import DashboardData


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
