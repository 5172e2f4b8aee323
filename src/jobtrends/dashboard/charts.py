"""What every chart shares: :class:`Panel`, the palette, number and period labels, titles, claim links,
and :func:`_chart` (an altair chart plus its rows → a Vega-Lite spec dict)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from jobtrends.dashboard.data import DashboardData

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
NO_CLAIM = "none (series point; see the chart's SQL)"
#: Validate every spec against the Vega-Lite JSON schema (the unit tests do; it costs seconds per build).
VALIDATE_SPECS = False
_WIDTH = 430


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


def _select_param(name: str, value: str, options: Sequence[str], label: str) -> alt.Parameter:
    """A chart parameter picked from a drop-down below the chart (``[""]`` when there is nothing to pick)."""
    return alt.param(
        name=name, value=value, bind=alt.binding_select(options=list(options) or [""], name=label)
    )


def _suppressed_marks(base: alt.Chart, field: str, size: int) -> alt.Chart:
    """Grey crosses for the rows whose ``field`` is suppressed (null), drawn where the caller puts them."""
    return base.transform_filter(f"datum.{field} == null").mark_point(
        shape="cross", size=size, color=SUPPRESSED_COLOUR, filled=True
    )


def _pct_and_shown(value: float | None) -> tuple[float | None, float]:
    """A change as a percentage (``None`` when suppressed) and where it is drawn (the zero line when suppressed)."""
    pct = None if value is None else round(value * 100, 1)
    return pct, 0.0 if pct is None else pct
