"""``jobtrends report``: the headline tables, every figure with the claim id that regenerates it.

The numbers come only from ``marts.claims`` (see ``sql/report/*.sql``); this module arranges them:

(a) salary table — Role | Entry-Level | Mid-Level | Senior+ | Growth rate, for the AI roles;
(b) fastest-growing roles — year-over-year change, the fixed-panel change and panel size, and n;
(c) top skills per AI role — share of the role's unique roles and the change in percentage points;
(d) wage premium — AI vs comparable roles, and AI-skill postings vs others within each role.

:func:`build_report` turns claim rows into a plain dict (pure, testable); :func:`render` prints it as a
table, Markdown or JSON.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "BANDS",
    "FORMATS",
    "build_report",
    "format_money",
    "format_pct",
    "format_pp",
    "load_report",
    "render",
]

BANDS: tuple[str, ...] = ("Entry-Level", "Mid-Level", "Senior+")
FORMATS: tuple[str, ...] = ("table", "markdown", "json")
#: The terminal table fits this many columns: claim ids become ``[n]`` references with footnotes.
TABLE_WIDTH = 120
GROWTH_GRAIN = "quarter"
TOP_SKILLS = 5
_DASH = "\u2013"


# ----------------------------------------------------------------------------- formatting


def format_money(value: float | None) -> str:
    """``135000`` → ``"$135k"``; ``None`` → ``"–"``."""
    if value is None:
        return _DASH
    return f"${value / 1000:,.0f}k"


def format_pct(value: float | None) -> str:
    """A fraction as a signed percentage: ``0.425`` → ``"+42.5%"``; ``None`` → ``"suppressed"``."""
    if value is None:
        return "suppressed"
    return f"{value * 100:+.1f}%"


def format_pp(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f} pp"


# ----------------------------------------------------------------------------- assembling


def _split_id(claim_id: str) -> list[str]:
    return claim_id.split(":")


def build_report(
    claims: Iterable[Mapping[str, Any]],
    panel_sizes: Mapping[str, int] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Arrange claim rows (``sql/report/claims.sql``) into the four report sections."""
    panel_sizes = panel_sizes or {}
    by_id = {c["claim_id"]: dict(c) for c in claims}
    role_names = {c["role"]: c.get("role_name") or c["role"] for c in by_id.values()}

    def pick(prefix: str, grain: str | None = None) -> list[dict[str, Any]]:
        rows = [c for cid, c in by_id.items() if cid.startswith(prefix + ":")]
        return [c for c in rows if grain is None or c["period_grain"] == grain]

    # (b) growth, one row per AI role (all_ai first as the total)
    growth: list[dict[str, Any]] = []
    for c in pick("growth_yoy", GROWTH_GRAIN):
        _, grain, start, role = _split_id(c["claim_id"])
        panel_id = f"growth_yoy_panel:{grain}:{start}:{role}"
        panel = by_id.get(panel_id, {})
        growth.append(
            {
                "role": role,
                "role_name": role_names.get(role, role),
                "period": c["period"],
                "yoy_change": c["value"],
                "new_unique_roles": c["numerator"],
                "base_unique_roles": c["denominator"],
                "n": c["n"],
                "claim_id": c["claim_id"],
                "panel_change": panel.get("value"),
                "panel_companies": panel_sizes.get(panel_id),
                "panel_n": panel.get("n"),
                "panel_claim_id": panel.get("claim_id"),
            }
        )
    growth.sort(
        key=lambda g: (g["role"] != "all_ai", g["yoy_change"] is None, -(g["yoy_change"] or 0), g["role"])
    )
    growth_by_role = {g["role"]: g for g in growth}

    # (a) salary table
    salary: dict[str, dict[str, Any]] = {}
    for c in pick("salary_min") + pick("salary_max"):
        kind, _, _, role, band = _split_id(c["claim_id"])
        entry = salary.setdefault(role, {"role": role, "role_name": role_names.get(role, role), "bands": {}})
        band_entry = entry["bands"].setdefault(band, {"n": c["n"], "period": c["period"], "claim_ids": []})
        band_entry["min" if kind == "salary_min" else "max"] = c["value"]
        band_entry["claim_ids"].append(c["claim_id"])
    salary_rows = []
    for role in sorted(salary, key=lambda r: (r != "all_ai", role_names.get(r, r))):
        entry = salary[role]
        for band in entry["bands"].values():
            band["claim_ids"].sort(key=lambda cid: not cid.startswith("salary_min"))
            band["range"] = (
                f"{format_money(band.get('min'))}{_DASH}{format_money(band.get('max'))}"
                if band["n"]
                else _DASH
            )
        g = growth_by_role.get(role)
        entry["growth"] = {"yoy_change": g["yoy_change"], "claim_id": g["claim_id"]} if g else None
        salary_rows.append(entry)

    # (c) top skills per AI role
    skills: dict[str, list[dict[str, Any]]] = {}
    for c in pick("skill_share"):
        _, grain, start, role, skill = _split_id(c["claim_id"])
        change = by_id.get(f"skill_share_change_pp:{grain}:{start}:{role}:{skill}", {})
        skills.setdefault(role, []).append(
            {
                "skill_id": skill,
                "share": c["value"],
                "mentions": c["numerator"],
                "n": c["denominator"],
                "period": c["period"],
                "change_pp": change.get("value"),
                "claim_id": c["claim_id"],
                "change_claim_id": change.get("claim_id"),
            }
        )
    top_skills = []
    for role in sorted(skills, key=lambda r: (r != "all_ai", role_names.get(r, r))):
        ranked = sorted(skills[role], key=lambda s: (-(s["share"] or 0), s["skill_id"]))[:TOP_SKILLS]
        top_skills.append({"role": role, "role_name": role_names.get(role, role), "skills": ranked})

    # (d) wage premium
    premium = []
    for c in sorted(pick("wage_premium"), key=lambda c: (c["metric"], c["role"] != "all_ai", c["role"])):
        premium.append(
            {
                "comparison": c["metric"].removeprefix("wage_premium_"),
                "role": c["role"],
                "role_name": role_names.get(c["role"], c["role"]),
                "period": c["period"],
                "premium": c["value"],
                "median_treated_usd": c["numerator"],
                "median_control_usd": c["denominator"],
                "panel": c["panel"],
                "n": c["n"],
                "claim_id": c["claim_id"],
            }
        )
    taxonomy = next((c.get("taxonomy_version") for c in by_id.values()), None)
    return {
        "settings": dict(settings or {}),
        "taxonomy_version": taxonomy,
        "salary": salary_rows,
        "growth": growth,
        "top_skills": top_skills,
        "wage_premium": premium,
    }


def load_report(con: Any, sql_dir: Path) -> dict[str, Any]:
    """Read the claims (``sql/report/*.sql``) from a (read-only) connection and build the report."""

    def rows(name: str) -> list[dict[str, Any]]:
        cur = con.execute((Path(sql_dir) / "report" / f"{name}.sql").read_text())
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    claims = rows("claims")
    panel_sizes = {r["claim_id"]: r["panel_companies"] for r in rows("panel_sizes")}
    settings_rows = rows("settings")
    settings = {
        k: (str(v) if v is not None else None) for k, v in (settings_rows[0] if settings_rows else {}).items()
    }
    return build_report(claims, panel_sizes, settings)


# ----------------------------------------------------------------------------- rendering


def _sections(report: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    out = []
    period = next((b["period"] for r in report["salary"] for b in r["bands"].values()), "")
    rows = []
    for r in report["salary"]:
        cells = [r["role_name"]]
        ids = []
        for band in BANDS:
            b = r["bands"].get(band)
            cells.append(f"{b['range']} (n={b['n']})" if b else _DASH)
            if b:
                ids.extend(b["claim_ids"])
        g = r.get("growth")
        cells.append(format_pct(g["yoy_change"]) if g else _DASH)
        if g:
            ids.append(g["claim_id"])
        cells.append(", ".join(ids))
        rows.append(cells)
    out.append(
        (
            f"Salaries (employer-stated, USD a year, median min {_DASH} median max, {period}; growth = YoY new unique roles)",
            ["Role", *BANDS, "Growth rate", "claims"],
            rows,
        )
    )
    rows = [
        [
            g["role_name"],
            g["period"],
            format_pct(g["yoy_change"]),
            _count(g["n"]),
            format_pct(g["panel_change"]),
            str(g["panel_companies"] if g["panel_companies"] is not None else _DASH),
            ", ".join(filter(None, [g["claim_id"], g["panel_claim_id"]])),
        ]
        for g in report["growth"]
    ]
    out.append(
        (
            "Fastest-growing roles (new unique roles, year over year; fixed panel = companies seen in both periods)",
            ["Role", "Period", "YoY", "n", "Fixed-panel YoY", "Panel companies", "claims"],
            rows,
        )
    )
    rows = []
    for r in report["top_skills"]:
        for s in r["skills"]:
            rows.append(
                [
                    r["role_name"],
                    s["skill_id"],
                    f"{(s['share'] or 0) * 100:.1f}%",
                    format_pp(s["change_pp"]),
                    _count(s["n"]),
                    ", ".join(filter(None, [s["claim_id"], s["change_claim_id"]])),
                ]
            )
    out.append(
        (
            "Top skills per AI role (share of the role's new unique roles; change vs a year earlier)",
            ["Role", "Skill", "Share", "Change", "n", "claims"],
            rows,
        )
    )
    rows = [
        [
            p["comparison"].replace("_", " "),
            p["role_name"],
            p["period"],
            format_pct(p["premium"]),
            f"{format_money(p['median_treated_usd'])} vs {format_money(p['median_control_usd'])}",
            p["panel"],
            p["claim_id"],
        ]
        for p in report["wage_premium"]
    ]
    out.append(
        (
            "Wage premium (median annual pay midpoint, employer-stated, USD)",
            ["Comparison", "Role", "Period", "Premium", "Medians", "n", "claim"],
            rows,
        )
    )
    return out


def _count(value: float | None) -> str:
    return _DASH if value is None else f"{int(value):,}"


def _terminal_section(
    title: str, headers: list[str], rows: list[list[str]], refs: list[str], width: int
) -> str:
    """One section as a rich table; the last column (claim ids) becomes a ``[n]`` reference, and the ids
    follow as footnotes (``refs`` numbers them across the whole report)."""
    from jobtrends.tables import make_table, to_text

    heading = "\n".join(textwrap.wrap(title, width))
    if not rows:
        return f"{heading}\n(no data)"
    numeric = {"n", "YoY", "Fixed-panel YoY", "Panel companies", "Share", "Change", "Premium", "Growth rate"}
    short = [max(len(r[i]) for r in rows) <= 24 for i in range(len(headers) - 1)]
    table = make_table(
        [*headers[:-1], "ref"],
        align="".join("r" if h in numeric and ok else "l" for h, ok in zip(headers[:-1], short, strict=True))
        + "r",
    )
    for i, column in enumerate(table.columns[1:-1], 1):
        # short cells such as "$135k–$170k (n=40)" stay on one line; role names and long texts wrap
        column.no_wrap = short[i]
    notes = []
    for row in rows:
        ids = row[-1]
        if ids:
            refs.append(ids)
            ref = f"[{len(refs)}]"
            notes.append(
                textwrap.fill(
                    ids,
                    width,
                    initial_indent=f"{ref} ",
                    subsequent_indent=" " * (len(ref) + 1),
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
        else:
            ref = ""
        table.add_row(*row[:-1], ref)
    return "\n".join([heading, to_text(table, width), "claims:", *notes])


def _markdown(headers: list[str], rows: list[list[str]]) -> str:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render(report: Mapping[str, Any], fmt: str = "table", *, width: int = TABLE_WIDTH) -> str:
    """The report as ``table`` (a terminal text of at most ``width`` columns, claim ids as footnotes),
    ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(report, indent=2, default=str, ensure_ascii=False)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    settings = report.get("settings") or {}
    header = (
        f"taxonomy {report.get('taxonomy_version') or settings.get('taxonomy_version') or '?'}; "
        f"as of {settings.get('as_of_date', '?')}; changes suppressed below a base of "
        f"{settings.get('min_base', '?')}; every figure's claim id is in marts.claims (column sql regenerates it)"
    )
    if str(settings.get("contains_synthetic_sample")).lower() == "true":
        header = (
            f"SYNTHETIC SAMPLE: {settings.get('synthetic_postings')} postings come from the bundled generator, "
            "not from real job boards; do not quote these figures.\n" + header
        )
    parts = []
    refs: list[str] = []
    for title, headers, rows in _sections(report):
        if fmt == "markdown":
            parts.append(f"## {title}\n\n" + (_markdown(headers, rows) if rows else "_no data_"))
        else:
            parts.append(_terminal_section(title, headers, rows, refs, width))
    if fmt == "markdown":
        return "# AI job-market report\n\n" + header + "\n\n" + "\n\n".join(parts) + "\n"
    header = "\n".join(textwrap.fill(line, width) for line in header.splitlines())
    return "AI job-market report\n" + header + "\n\n" + "\n\n".join(parts) + "\n"
