"""Known truths of the synthetic sample: what the pipeline must find in it.

:data:`TRUTHS` (scale 1.0) is what the end-to-end test compares the marts with. Definitions:

- **unique role**: one :class:`~jobtrends.sample.world.Job` (its original posting, a repost under a
  new id and a RemoteOK cross-post collapse into it); it is **new** in the year of its original's
  first-published date. Roles first published in 2023-11/12 exist (so the first snapshot is full) and
  belong to no year here.
- **panel**: the companies present in both 2024 and 2025 (all but :attr:`SampleTruths.new_companies_2025`).
- **growth**: ``new(2025) / new(2024) − 1`` of unique ``ai_ml_engineer`` roles; on the panel it is
  exactly +143% (targets × scale, rounded); plainly (with the 2025-only companies) it is higher.
- **skill share**: share of unique ``ai_ml_engineer`` roles new in the year whose description names
  the skill (exact to within 1/n by construction).
- **pay**: median of annual USD pay midpoints (range midpoint, hourly × 2080, converted with the
  ``transform.fx`` rate of the posting month) of unique roles with pay, per role and band as the salary
  mart names them (:data:`BAND_LABELS`: Entry-Level = intern + entry, Mid-Level = mid, Senior+ = senior
  + staff_principal, Manager, Unspecified = no level in the title, paid like Mid), exact in 2024 and in
  2025 (stratified per year). Spread: midpoints are log-normal with σ = 0.15, so p25 ≈ 0.904 × median
  and p75 ≈ 1.106 × median. ai_ml_engineer: Entry 135k, Mid 170k, Senior+ 215k.
- **wage premium**: per band and year, median midpoint of AI roles over that of the comparable roles
  (software, data engineer, data analyst, devops, product manager; ``other`` excluded) minus one.

Where the marts show them (``marts.*``; band labels as above, ``pay_basis = 'employer_stated'``):
growth — ``agg_title_growth`` (period_grain 'year', role 'ai_ml_engineer', seniority 'all', country
'all', period_start 2025-01-01: ``yoy_panel_change`` ≈ 1.43, ``yoy_change`` ≈ 1.86); skill shares —
``agg_skill_frequency.share_of_unique_roles`` (period_grain 'year', role 'ai_ml_engineer'); pay —
``agg_salary_trends.median_midpoint_usd`` (period_grain 'year'); premium — ``agg_wage_premium``
(comparison 'ai_vs_comparable', role 'all_ai', country 'all', period_grain 'year').
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from jobtrends.sample import text as T
from jobtrends.sample import world as W

BANDS: tuple[str, ...] = ("entry", "mid", "senior_plus", "manager", "unspecified")
BAND_LABELS: dict[str, str] = {
    "entry": "Entry-Level",
    "mid": "Mid-Level",
    "senior_plus": "Senior+",
    "manager": "Manager",
    "unspecified": "Unspecified",
}
"""The salary and wage-premium marts' names of the bands."""


def _pay_medians() -> Mapping[tuple[str, str], float]:
    return MappingProxyType(
        {(r, b): round(W.MID_PAY_USD[r] * W.BAND_FACTOR[b], 2) for r in T.ROLES for b in BANDS}
    )


def _ro(d: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(d)


@dataclass(frozen=True)
class SampleTruths:
    """Target values the generator realises (counts at ``scale``; rates and medians scale-free)."""

    scale: float = 1.0
    first_snapshot: date = W.FIRST_SNAPSHOT
    last_snapshot: date = W.LAST_SNAPSHOT
    n_snapshots: int = 25
    new_companies_2025: tuple[str, ...] = tuple(c.name for c in W.COMPANIES if not c.in_panel)
    panel_companies: tuple[str, ...] = tuple(c.name for c in W.COMPANIES if c.in_panel)
    ai_ml_growth_panel: float = (
        W.NEW_ROLES_PANEL["ai_ml_engineer"][1] / W.NEW_ROLES_PANEL["ai_ml_engineer"][0] - 1
    )
    """+1.43: new unique ai_ml_engineer roles 2025 vs 2024 on the fixed panel."""
    ai_ml_growth_all: float = (
        W.NEW_ROLES_PANEL["ai_ml_engineer"][1] + W.NEW_ROLES_NEWCOS_2025["ai_ml_engineer"]
    ) / W.NEW_ROLES_PANEL["ai_ml_engineer"][0] - 1
    """Plain growth including the companies that only start in 2025 (> panel growth)."""
    new_roles_panel: Mapping[tuple[str, int], int] = field(default_factory=dict)
    """(role, year) → new unique roles on the panel."""
    new_roles_all: Mapping[tuple[str, int], int] = field(default_factory=dict)
    skill_share: Mapping[tuple[str, int], float] = field(
        default_factory=lambda: _ro(
            {(s, y): v for s, by in W.SKILL_SHARE_TARGETS.items() for y, v in by.items()}
        )
    )
    """(skill, year) → share of ai_ml_engineer unique roles naming it: pytorch 0.45→0.62, tensorflow 0.38→0.22."""
    pay_median_usd: Mapping[tuple[str, str], float] = field(default_factory=_pay_medians)
    """(role, band) → median annual USD midpoint; ai_ml_engineer: entry 135k, mid 170k, senior_plus 215k."""
    pay_sigma: float = W.PAY_SIGMA
    pay_p25_factor: float = 0.9038
    pay_p75_factor: float = 1.1064
    wage_premium_ai: Mapping[tuple[str, int], float] = field(
        default_factory=lambda: _ro(
            {
                ("entry", 2024): 0.179,
                ("mid", 2024): 0.186,
                ("senior_plus", 2024): 0.181,
                ("manager", 2024): 0.190,
                ("unspecified", 2024): 0.111,
                ("all", 2024): 0.159,
                ("entry", 2025): 0.207,
                ("mid", 2025): 0.191,
                ("senior_plus", 2025): 0.192,
                ("manager", 2025): 0.167,
                ("unspecified", 2025): 0.114,
                ("all", 2025): 0.177,
            }
        )  # fmt: skip
    )
    """(band, year) → median midpoint of AI roles over that of the comparable roles, minus one (all
    countries). It follows from the pay levels and the role mix (data annotators, mostly without a level,
    pull the Unspecified band down); measured on the world at seed 7, scale 1, and checked by
    ``test_sample``."""
    repost_rate: float = W.REPOST_RATE
    crosspost_rate: float = W.CROSSPOST_RATE


def truths_for(scale: float = 1.0) -> SampleTruths:
    """The truths of a world generated at ``scale``."""
    panel: dict[tuple[str, int], int] = {}
    everything: dict[tuple[str, int], int] = {}
    for role, (n24, n25) in W.NEW_ROLES_PANEL.items():
        panel[(role, 2024)] = round(n24 * scale)
        panel[(role, 2025)] = round(n25 * scale)
        everything[(role, 2024)] = panel[(role, 2024)]
        everything[(role, 2025)] = panel[(role, 2025)] + round(W.NEW_ROLES_NEWCOS_2025[role] * scale)
    return SampleTruths(scale=scale, new_roles_panel=_ro(panel), new_roles_all=_ro(everything))


TRUTHS: SampleTruths = truths_for(1.0)


def realised_truths(world: Any) -> dict[str, Any]:
    """Count the truths directly in a generated world (no pipeline): what the data really holds."""
    jobs = [j for j in world.jobs if j.year in (2024, 2025)]
    out: dict[str, Any] = {}
    panel: dict[tuple[str, int], int] = {}
    everything: dict[tuple[str, int], int] = {}
    for j in jobs:
        everything[(j.role, j.year)] = everything.get((j.role, j.year), 0) + 1
        if j.company.in_panel:
            panel[(j.role, j.year)] = panel.get((j.role, j.year), 0) + 1
    out["new_roles_panel"] = panel
    out["new_roles_all"] = everything
    ai24, ai25 = panel.get(("ai_ml_engineer", 2024), 0), panel.get(("ai_ml_engineer", 2025), 0)
    out["ai_ml_growth_panel"] = ai25 / ai24 - 1 if ai24 else None
    all24, all25 = everything.get(("ai_ml_engineer", 2024), 0), everything.get(("ai_ml_engineer", 2025), 0)
    out["ai_ml_growth_all"] = all25 / all24 - 1 if all24 else None
    shares: dict[tuple[str, int], float] = {}
    for year in (2024, 2025):
        group = [j for j in jobs if j.role == "ai_ml_engineer" and j.year == year]
        for skill in W.SKILL_SHARE_TARGETS:
            shares[(skill, year)] = sum(skill in j.skills for j in group) / len(group) if group else 0.0
    out["skill_share"] = shares
    mids: dict[tuple[str, str], list[float]] = {}
    for j in jobs:
        if j.pay is not None:
            mids.setdefault((j.role, j.band), []).append(j.pay.usd_mid_annual)
    out["pay_median_usd"] = {k: statistics.median(v) for k, v in mids.items()}
    out["pay_n"] = {k: len(v) for k, v in mids.items()}
    premium: dict[tuple[str, int], float] = {}
    for year in (2024, 2025):
        for band in (*BANDS, "all"):
            group = [j for j in jobs if j.pay and j.year == year and (band == "all" or j.band == band)]
            ai = [j.pay.usd_mid_annual for j in group if j.pay and j.role in T.AI_ROLES]
            comp = [j.pay.usd_mid_annual for j in group if j.pay and j.role in T.COMPARABLE_ROLES]
            if ai and comp:
                premium[(band, year)] = statistics.median(ai) / statistics.median(comp) - 1
    out["wage_premium_ai"] = premium
    observed = [lst for lst in world.listings() if lst.observed]
    out["postings_observed"] = len(observed)
    out["unique_roles"] = sum(any(lst.observed for lst in j.listings) for j in world.jobs)
    out["reposts_observed"] = sum(lst.is_repost for lst in observed)
    out["crossposts_observed"] = sum(lst.is_crosspost for lst in observed)
    remote_ats = [
        j
        for j in world.jobs
        if j.work_mode == "remote" and j.company.kind in {"greenhouse", "lever", "ashby"}
    ]
    out["repost_rate"] = sum(any(lst.is_repost for lst in j.listings) for j in world.jobs) / len(world.jobs)
    out["crosspost_rate"] = (
        sum(any(lst.is_crosspost for lst in j.listings) for j in remote_ats) / len(remote_ats)
        if remote_ats
        else 0.0
    )
    return out


# ----------------------------------------------------------------------------- checking the marts

TOLERANCE = {"growth_rel": 0.10, "share_pp": 0.05, "median_rel": 0.07, "premium_abs": 0.05}
"""Tolerances of :func:`mart_checks` (the end-to-end test's): growth ±10% relative, shares ±5 pp,
pay medians ±7% relative, wage premium ±5 pp."""

_CHECK_ROLES: tuple[str, ...] = ("ai_ml_engineer", "software_engineer", "data_scientist")


def mart_checks(con: Any, truths: SampleTruths = TRUTHS) -> list[dict[str, Any]]:
    """Compare the published marts with the truths; one dict per check (``name``, ``expected``,
    ``observed``, ``ok``). ``con`` is a connection from ``jobtrends.warehouse.connect``."""

    def one(sql: str, params: list[Any]) -> Any:
        row = con.execute(sql, params).fetchone()
        return row[0] if row else None

    def rel(name: str, expected: float, observed: Any, tol: float) -> dict[str, Any]:
        ok = observed is not None and abs(float(observed) / expected - 1) <= tol
        return {"name": name, "expected": expected, "observed": observed, "ok": ok}

    def absolute(name: str, expected: float, observed: Any, tol: float) -> dict[str, Any]:
        ok = observed is not None and abs(float(observed) - expected) <= tol
        return {"name": name, "expected": expected, "observed": observed, "ok": ok}

    growth_sql = (
        "select {col} from marts.agg_title_growth where period_grain = 'year' and role = ? "
        "and seniority = 'all' and country = 'all' and period_start = date '2025-01-01'"
    )
    out = [
        rel(
            "ai_ml_engineer growth 2025 vs 2024, fixed panel",
            1 + truths.ai_ml_growth_panel,
            _plus_one(one(growth_sql.format(col="yoy_panel_change"), ["ai_ml_engineer"])),
            TOLERANCE["growth_rel"],
        ),
        rel(
            "ai_ml_engineer growth 2025 vs 2024, all companies",
            1 + truths.ai_ml_growth_all,
            _plus_one(one(growth_sql.format(col="yoy_change"), ["ai_ml_engineer"])),
            TOLERANCE["growth_rel"],
        ),
    ]
    for (skill, year), share in sorted(truths.skill_share.items()):
        observed = one(
            "select share_of_unique_roles from marts.agg_skill_frequency where period_grain = 'year' "
            "and role = 'ai_ml_engineer' and skill_id = ? and period_start = make_date(?, 1, 1)",
            [skill, year],
        )
        out.append(
            absolute(f"{skill} share of ai_ml_engineer {year}", share, observed, TOLERANCE["share_pp"])
        )
    for role in _CHECK_ROLES:
        for band in ("entry", "mid", "senior_plus"):
            for year in (2024, 2025):
                observed = one(
                    "select median_midpoint_usd from marts.agg_salary_trends where period_grain = 'year' "
                    "and role = ? and band = ? and pay_basis = 'employer_stated' "
                    "and period_start = make_date(?, 1, 1)",
                    [role, BAND_LABELS[band], year],
                )
                expected = truths.pay_median_usd[(role, band)]
                out.append(
                    rel(f"{role} {band} median pay {year}", expected, observed, TOLERANCE["median_rel"])
                )
    for (band, year), premium in sorted(truths.wage_premium_ai.items()):
        if band == "unspecified":
            continue
        observed = one(
            "select wage_premium from marts.agg_wage_premium where comparison = 'ai_vs_comparable' "
            "and role = 'all_ai' and country = 'all' and period_grain = 'year' and band = ? "
            "and pay_basis = 'employer_stated' and period_start = make_date(?, 1, 1)",
            ["All" if band == "all" else BAND_LABELS[band], year],
        )
        out.append(absolute(f"AI wage premium {band} {year}", premium, observed, TOLERANCE["premium_abs"]))
    return out


def _plus_one(value: Any) -> float | None:
    return None if value is None else 1 + float(value)
