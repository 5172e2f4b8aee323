"""Deterministic generator of the synthetic sample world (``generate_world(seed, scale)``).

The world is ~35 fictional companies on Greenhouse, Lever, Ashby and schema.org JSON-LD career pages,
with postings first published from 2023-11 to 2025-12 and observed as 25 monthly snapshots
(2024-01-01 … 2026-01-01). A :class:`Job` is one unique role; it is published as one or more
:class:`Listing` s (the original, a later repost under a new id, a RemoteOK cross-post).

How the known truths (``truths.py``) are hit exactly rather than by luck:

- new-role counts per (year, role) are fixed totals, spread over (company, month) cells by
  systematic rounding, so the realised counts equal the targets (× scale, rounded);
- PyTorch / TensorFlow mentions of ``ai_ml_engineer`` roles are assigned by an accumulator over the
  roles in publication order, so each year's share equals its target to within 1/n;
- pay midpoints of each (role, band, year) group are stratified quantiles of a log-normal around the
  target median, so the group median is the target up to rounding of the stated numbers; non-USD pay
  is stated with the project's own reference rate of the posting's month (``transform.fx``);
- every posting stays open 33–70 days, so every posting is seen by at least one monthly snapshot.

No global state and no clock: everything derives from ``seed`` (string-seeded ``random.Random``).

Module map: :mod:`jobtrends.sample.world_spec` holds the targets and the companies (pure data, re-exported
here); this module holds the model and the generator.
"""

from __future__ import annotations

import functools
import math
import random
import statistics
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import httpx

from ingest.base import SourceSpec
from jobtrends.sample import text as T
from jobtrends.sample.world_spec import (
    BAND_FACTOR,
    COMPANIES,
    CROSSPOST_RATE,
    CURRENCY,
    FALLBACK_UNITS_PER_USD,
    KEY_QUIET_DAYS,
    MID_PAY_USD,
    MONTH_WEIGHTS,
    NEW_ROLES_NEWCOS_2025,
    NEW_ROLES_PANEL,
    OFFICES,
    PAY_SHARE_BY_COUNTRY,
    PAY_SIGMA,
    PRE_PERIOD_MONTHS,
    REMOTE_LABELS,
    REPOST_GAP_DAYS,
    REPOST_RATE,
    ROLE_AFFINITY,
    SKILL_SHARE_TARGETS,
    Company,
)
from transform.batch import SYNTHETIC_SAMPLE_MARKER

SYNTHETIC_MARKER = SYNTHETIC_SAMPLE_MARKER  # normalisation flags postings that carry it
FIRST_SNAPSHOT = date(2024, 1, 1)
LAST_SNAPSHOT = date(2026, 1, 1)
MIN_OPEN_DAYS = 33
"""Longer than any gap between monthly snapshots, so every posting is observed at least once."""
MAX_OPEN_DAYS = 70
HOURS_PER_YEAR = 2080
KINDS: tuple[str, ...] = ("greenhouse", "lever", "ashby", "jsonld", "remoteok")

# ----------------------------------------------------------------------------- model


@dataclass(slots=True)
class Pay:
    """Pay as the employer states it (original currency and period) plus its USD annual midpoint."""

    currency: str
    period: str
    """``year`` or ``hour``."""
    min: float
    max: float
    usd_mid_annual: float
    """Midpoint of the stated range, annualised and converted with the posting month's rate."""
    structured: bool
    """Shown in the source's structured pay field (else only as text in the description)."""
    style: int
    """Which text format renders it (see ``payloads.pay_text``)."""
    zones: bool = False
    """Text shows two pay zones whose envelope is ``min``–``max``."""


@dataclass(slots=True)
class Job:
    """One unique role (what dedup should collapse its listings into)."""

    id: int
    company: Company
    role: str
    seniority: str
    title: str
    country: str
    city: str | None
    region: str | None
    location_text: str
    work_mode: str
    employment_type: str
    published: datetime
    closes: datetime
    team: str
    skills: tuple[str, ...] = ()
    pay: Pay | None = None
    repost: tuple[int, int, int] | None = None
    """(days after closing, seconds, open days) of the repost under a new id, if any."""
    base: str = ""
    """Base title (no level or noise): with ``team`` what key-based dedup compares."""
    team_in_title: bool = False
    listings: list[Listing] = field(default_factory=list)

    @property
    def band(self) -> str:
        return T.BAND_OF[self.seniority]

    @property
    def is_ai_role(self) -> bool:
        return self.role in T.AI_ROLES

    @property
    def year(self) -> int:
        return self.published.year


@dataclass(slots=True)
class Listing:
    """One posting of a job on one source (the unit the raw layer stores)."""

    job: Job
    kind: str
    source_id: str
    published: datetime
    closes: datetime
    is_repost: bool = False
    is_crosspost: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def open_on(self, day: date) -> bool:
        """Listed on snapshot date ``day`` (snapshots are taken at 00:00 UTC)."""
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return self.published <= moment < self.closes

    @property
    def observed(self) -> bool:
        """Open on at least one snapshot date (always true for roles first published in 2024–2025)."""
        first = datetime(FIRST_SNAPSHOT.year, FIRST_SNAPSHOT.month, FIRST_SNAPSHOT.day, tzinfo=UTC)
        last = datetime(LAST_SNAPSHOT.year, LAST_SNAPSHOT.month, LAST_SNAPSHOT.day, tzinfo=UTC)
        return self.published <= last and self.closes > first

    @property
    def url(self) -> str:
        return job_url(self)


def job_url(listing: Listing) -> str:
    c = listing.job.company
    if listing.kind == "greenhouse":
        return f"https://job-boards.greenhouse.io/{c.board}/jobs/{listing.source_id}"
    if listing.kind == "lever":
        return f"https://jobs.lever.co/{c.board}/{listing.source_id}"
    if listing.kind == "ashby":
        return f"https://jobs.ashbyhq.com/{c.board}/{listing.source_id}"
    if listing.kind == "jsonld":
        return f"https://{c.host}/jobs/{listing.source_id}"
    return f"https://remoteok.com/remote-jobs/{listing.extra['slug']}"


# ----------------------------------------------------------------------------- helpers


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def _systematic_counts(total: int, weights: list[float], u: float) -> list[int]:
    """Integers summing exactly to ``total``, each the floor or ceiling of its proportional quota
    (systematic rounding with offset ``u`` in [0, 1): unbiased even for many tiny cells)."""
    wsum = sum(weights)
    if total <= 0 or wsum <= 0:
        return [0] * len(weights)
    counts, cum, prev = [], 0.0, 0
    for w in weights:
        cum += total * w / wsum
        upto = min(total, math.floor(cum + u))
        counts.append(upto - prev)
        prev = upto
    counts[-1] += total - prev
    return counts


def _snapshot_dates() -> list[date]:
    out = []
    y, m = FIRST_SNAPSHOT.year, FIRST_SNAPSHOT.month
    while date(y, m, 1) <= LAST_SNAPSHOT:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - date(year, month, 1)).days


def units_per_usd(currency: str, month: str) -> float:
    """The project's reference rate (``transform.fx``) of ``month``; a fixed fallback if it has none."""
    if currency == "USD":
        return 1.0
    try:
        from transform.fx import rate

        found = rate(currency, month)
    except (ImportError, OSError):  # pragma: no cover - the table ships with the package
        found = None
    return found[0] if found else FALLBACK_UNITS_PER_USD[currency]


def _inverse_normal(p: float) -> float:
    return statistics.NormalDist().inv_cdf(p)


# ----------------------------------------------------------------------------- generation


class SampleWorld:
    """The generated world: companies, jobs and their listings, plus rendering and serving."""

    def __init__(self, seed: int, scale: float, companies: tuple[Company, ...], jobs: list[Job]) -> None:
        self.seed = seed
        self.scale = scale
        self.companies = companies
        self.jobs = jobs

    # -- public API ---------------------------------------------------------------------------

    def snapshot_dates(self) -> list[date]:
        """Run dates: the 1st of each month, 2024-01-01 … 2026-01-01 (25 snapshots)."""
        return _snapshot_dates()

    def source_specs(self, as_of: date | None = None) -> list[SourceSpec]:
        """One spec per board, plus RemoteOK. JSON-LD specs list their page URLs in ``params["urls"]``:
        every page ever published, or with ``as_of`` only the pages open on that date (what a sitemap
        would list; the career index page when none is open). Prefer ``as_of`` per snapshot: a page
        that is not open answers a page without JSON-LD, which costs a request and a landing file."""
        specs = []
        for c in self.companies:
            params: dict[str, Any] = {"sample": True}
            if c.kind == "jsonld":
                urls = [
                    lst.url
                    for lst in self.listings(kind="jsonld")
                    if lst.job.company.key == c.key and lst.observed and (as_of is None or lst.open_on(as_of))
                ]
                params["urls"] = urls or [f"https://{c.host}/"]  # nothing open: the index page (no JSON-LD)
            specs.append(
                SourceSpec(kind=c.kind, name=c.source_name, board=c.board, company=c.name, params=params)
            )
        specs.append(
            SourceSpec(
                kind="remoteok", name="remoteok:all", board=None, company=None, params={"sample": True}
            )
        )
        return specs

    def transport(self, as_of: date) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` serving the snapshot at ``as_of`` at the real API URLs."""
        from jobtrends.sample.transport import make_transport

        return make_transport(self, as_of)

    def payloads(self, as_of: date) -> dict[str, bytes]:
        """Every URL of the snapshot at ``as_of`` and its body (what ``jobtrends sample --out`` writes)."""
        from jobtrends.sample.payloads import snapshot_payloads

        return snapshot_payloads(self, as_of)

    def listings(self, kind: str | None = None) -> Iterator[Listing]:
        for job in self.jobs:
            for lst in job.listings:
                if kind is None or lst.kind == kind:
                    yield lst

    def open_listings(self, as_of: date, kind: str | None = None) -> list[Listing]:
        return [lst for lst in self.listings(kind) if lst.open_on(as_of)]

    def company(self, key: str) -> Company:
        return self._companies_by_key[key]

    @cached_property
    def _companies_by_key(self) -> dict[str, Company]:
        return {c.key: c for c in self.companies}

    @property
    def truths(self) -> Any:
        """Target truths at this world's scale (see :mod:`jobtrends.sample.truths`)."""
        from jobtrends.sample.truths import truths_for

        return truths_for(self.scale)


def generate_world(seed: int = 7, scale: float = 1.0) -> SampleWorld:
    """Generate the sample world; same ``seed`` and ``scale`` → identical world and payload bytes.

    Memoised per process (the world is read-only once built), so the pipeline's stages and mapped
    Airflow tasks can ask for it repeatedly without paying the ~2 s generation each time.
    """
    return _generate_cached(int(seed), float(scale))


@functools.lru_cache(maxsize=2)
def _generate_cached(seed: int, scale: float) -> SampleWorld:
    if scale <= 0:
        raise ValueError("scale must be positive")
    jobs: list[Job] = []
    counter = iter(range(1, 10**9))
    for period, companies, totals in _cohorts(scale):
        for role, total in totals.items():
            cells = [(c, y, m) for (y, m) in period for c in companies]
            weights = [
                c.size
                * ROLE_AFFINITY[c.type][role]
                * MONTH_WEIGHTS[m - 1]
                * (1.0 if y >= c.start_year else 0.0)
                for c, y, m in cells
            ]
            u = _rng(seed, "cells", period[0], role).random()
            for (c, y, m), n in zip(cells, _systematic_counts(total, weights, u), strict=True):
                for _ in range(n):
                    jobs.append(_new_job(seed, next(counter), c, role, y, m))
    jobs.sort(key=lambda j: (j.published, j.id))
    _deconflict(seed, jobs)
    _assign_framework_skills(jobs)
    _assign_pay(seed, jobs)
    for job in jobs:
        _add_listings(seed, job)
    return SampleWorld(seed, scale, COMPANIES, jobs)


def _cohorts(scale: float) -> list[tuple[list[tuple[int, int]], list[Company], dict[str, int]]]:
    panel = [c for c in COMPANIES if c.in_panel]
    newcos = [c for c in COMPANIES if not c.in_panel]
    months = {y: [(y, m) for m in range(1, 13)] for y in (2024, 2025)}
    pre_share = sum(MONTH_WEIGHTS[m - 1] for _, m in PRE_PERIOD_MONTHS) / sum(MONTH_WEIGHTS)

    def scaled(n: float) -> int:
        return round(n * scale)

    return [
        (list(PRE_PERIOD_MONTHS), panel, {r: scaled(v[0] * pre_share) for r, v in NEW_ROLES_PANEL.items()}),
        (months[2024], panel, {r: scaled(v[0]) for r, v in NEW_ROLES_PANEL.items()}),
        (months[2025], panel, {r: scaled(v[1]) for r, v in NEW_ROLES_PANEL.items()}),
        (months[2025], newcos, {r: scaled(v) for r, v in NEW_ROLES_NEWCOS_2025.items()}),
    ]


def _pick_weighted(rng: random.Random, items: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


SENIORITY_MIX: tuple[tuple[str, float], ...] = (
    ("intern", 0.03),
    ("entry", 0.14),
    ("mid", 0.22),
    ("senior", 0.30),
    ("staff_principal", 0.10),
    ("manager", 0.06),
    ("unspecified", 0.15),
)
ANNOTATOR_MIX: tuple[tuple[str, float], ...] = (
    ("entry", 0.1),
    ("senior", 0.15),
    ("manager", 0.03),
    ("unspecified", 0.72),
)


def _new_job(seed: int, job_id: int, company: Company, role: str, year: int, month: int) -> Job:
    rng = _rng(seed, "job", job_id)
    published = _month_start(year, month) + timedelta(
        seconds=rng.randrange(_days_in_month(year, month) * 86400)
    )
    closes = published + timedelta(
        days=rng.randint(MIN_OPEN_DAYS, MAX_OPEN_DAYS), seconds=rng.randrange(86400)
    )
    seniority = _pick_weighted(rng, ANNOTATOR_MIX if role == "data_annotator" else SENIORITY_MIX)
    country = _pick_weighted(rng, company.countries)
    remote = rng.random() < company.remote_share
    work_mode = "remote" if remote else ("hybrid" if rng.random() < 0.45 else "onsite")
    hourly_roles = role == "data_annotator" or seniority == "intern"
    employment_type = (
        "intern"
        if seniority == "intern"
        else "contract"
        if hourly_roles and rng.random() < 0.8
        else "full_time"
    )
    skills = tuple(sorted(s for s, p in T.SKILL_PROBS[role].items() if p > 0 and rng.random() < p))
    repost = None
    if company.kind != "remoteok" and rng.random() < REPOST_RATE:
        repost = (rng.randint(REPOST_GAP_DAYS[0], REPOST_GAP_DAYS[1]), rng.randrange(86400),
                  rng.randint(MIN_OPEN_DAYS, MAX_OPEN_DAYS))  # fmt: skip
    job = Job(
        id=job_id,
        company=company,
        role=role,
        seniority=seniority,
        title="",
        country=country,
        city=None,
        region=None,
        location_text="",
        work_mode=work_mode,
        employment_type=employment_type,
        published=published,
        closes=closes,
        team="",
        skills=skills,
        repost=repost,
    )
    _place_and_title(rng, job, with_team=rng.random() < 0.6)
    return job


def _place_and_title(rng: random.Random, job: Job, *, with_team: bool) -> None:
    """Draw the base title, team qualifier and office of ``job`` and compose its title with noise."""
    if job.work_mode == "remote":
        job.city = job.region = None
        job.location_text = rng.choice(REMOTE_LABELS[job.country])
    else:
        job.city, job.region, job.location_text = rng.choice(OFFICES[job.country])
    names = T.MANAGER_TITLES[job.role] if job.seniority == "manager" else T.BASE_TITLES[job.role]
    job.base = rng.choice(names)
    job.team = rng.choice(T.TEAM_SUFFIXES)
    job.team_in_title = with_team and "," not in job.base
    title = job.base
    if job.seniority in T.SENIOR_PREFIX:
        head, sep, tail = job.base.partition(", ")
        title = rng.choice(T.SENIOR_PREFIX[job.seniority]).format(t=head) + sep + tail
    if job.team_in_title:
        title += f", {job.team}"
    r = rng.random()
    if r < 0.12 and job.work_mode == "remote":
        title += " (Remote)"
    elif r < 0.2 and job.city:
        title += f" - {job.city}"
    elif r < 0.25:
        title += f" [R-{rng.randint(10000, 99999)}]"
    elif r < 0.28:
        title = f"{title} (REQ-{rng.randint(1000, 9999)})"
    if job.country == "DE" and rng.random() < 0.3:
        title += " (m/w/d)"
    job.title = title


def _dedup_key(job: Job) -> tuple[str, str, str, str]:
    """What a pipeline's key-based dedup sees: company, title without levels and noise, place."""
    title = f"{job.base}, {job.team}" if job.team_in_title else job.base
    return job.company.key, title, job.city or "", job.country


def _last_close(job: Job) -> datetime:
    if job.repost is None:
        return job.closes
    delay_days, delay_s, duration = job.repost
    return job.closes + timedelta(days=delay_days + duration, seconds=delay_s)


def _deconflict(seed: int, jobs: list[Job]) -> int:
    """Re-draw title and office of roles whose dedup key is still in use by another role of the same
    company (open, or closed less than :data:`KEY_QUIET_DAYS` ago), so distinct roles stay distinct
    under key + window dedup. Returns the number of roles that kept a colliding key."""
    busy: dict[tuple[str, str, str, str], datetime] = {}
    left = 0
    for job in jobs:  # in publication order
        key = _dedup_key(job)
        if key in busy and busy[key] >= job.published:
            rng = _rng(seed, "deconflict", job.id)
            for attempt in range(40):
                _place_and_title(rng, job, with_team=attempt > 1 or rng.random() < 0.6)
                key = _dedup_key(job)
                if key not in busy or busy[key] < job.published:
                    break
            else:
                left += 1
        busy[key] = _last_close(job) + timedelta(days=KEY_QUIET_DAYS)
    return left


def _assign_framework_skills(jobs: list[Job]) -> None:
    """Exact PyTorch/TensorFlow shares per first-published year for ``ai_ml_engineer`` roles."""
    for skill, shares in SKILL_SHARE_TARGETS.items():
        acc = {y: 0.5 if skill == "pytorch" else 0.25 for y in (2023, 2024, 2025)}
        for job in jobs:
            if job.role != "ai_ml_engineer":
                continue
            year = max(job.year, 2024)
            acc[job.year] += shares[year]
            if acc[job.year] >= 1.0:
                acc[job.year] -= 1.0
                job.skills = tuple(sorted({*job.skills, skill}))


def _assign_pay(seed: int, jobs: list[Job]) -> None:
    """Stratified pay per (role, band, year) so each group's median midpoint is its target."""
    groups: dict[tuple[str, str, int], list[Job]] = {}
    for job in jobs:
        rng = _rng(seed, "haspay", job.id)
        if rng.random() < PAY_SHARE_BY_COUNTRY[job.country]:
            groups.setdefault((job.role, job.band, job.year), []).append(job)
    for (role, band, year), members in sorted(groups.items()):
        rng = _rng(seed, "pay", role, band, year)
        n = len(members)
        median = MID_PAY_USD[role] * BAND_FACTOR[band]
        mids = [median * math.exp(PAY_SIGMA * _inverse_normal((k + 0.5) / n)) for k in range(n)]
        # higher levels get higher quantiles more often (staff > senior, entry > intern), median unchanged
        level = {
            "intern": 0,
            "entry": 1,
            "mid": 1,
            "unspecified": 1,
            "senior": 1,
            "staff_principal": 2,
            "manager": 1,
        }
        ordered = sorted(members, key=lambda j: level[j.seniority] + rng.random() * 2.5)
        for job, mid in zip(ordered, mids, strict=True):
            job.pay = _make_pay(rng, job, mid)


def _round_to(x: float, step: float) -> float:
    return float(round(x / step) * step)


def _make_pay(rng: random.Random, job: Job, usd_mid: float) -> Pay:
    currency = CURRENCY[job.country]
    month = job.published.strftime("%Y-%m")
    units = units_per_usd(currency, month)
    half = rng.uniform(0.08, 0.16)
    hourly = (job.role == "data_annotator" and rng.random() < 0.85) or (
        job.seniority == "intern" and rng.random() < 0.7
    )
    hourly = hourly or (job.employment_type == "contract" and rng.random() < 0.5)
    local_mid = usd_mid * units
    if hourly:
        per_hour = local_mid / HOURS_PER_YEAR
        width = max(2.0, round(per_hour * half))
        lo, hi = round(per_hour) - width, round(per_hour) + width
        period = "hour"
        annual_mid = (lo + hi) / 2 * HOURS_PER_YEAR
    else:
        step = 1000.0
        width = _round_to(local_mid * half, step)
        centre = _round_to(local_mid, step)
        lo, hi = centre - width, centre + width
        period = "year"
        annual_mid = (lo + hi) / 2
    structured = (
        rng.random() < {"greenhouse": 0.5, "lever": 0.6, "ashby": 0.7, "jsonld": 0.8}[job.company.kind]
    )
    return Pay(
        currency=currency,
        period=period,
        min=float(lo),
        max=float(hi),
        usd_mid_annual=annual_mid / units,
        structured=structured,
        style=rng.randrange(1000),
        zones=currency == "USD" and period == "year" and not structured and rng.random() < 0.12,
    )


def _add_listings(seed: int, job: Job) -> None:
    rng = _rng(seed, "listings", job.id)
    kind = job.company.kind
    job.listings.append(Listing(job, kind, _source_id(rng, kind, job.id, 0), job.published, job.closes))
    if job.repost is not None:
        delay_days, delay_s, duration = job.repost
        start = job.closes + timedelta(days=delay_days, seconds=delay_s)
        end = start + timedelta(days=duration)
        job.listings.append(Listing(job, kind, _source_id(rng, kind, job.id, 1), start, end, is_repost=True))
    if (
        job.work_mode == "remote"
        and kind in {"greenhouse", "lever", "ashby"}
        and rng.random() < CROSSPOST_RATE
    ):
        start = job.published + timedelta(hours=rng.randint(2, 60))
        rid = str(1_000_000 + job.id)
        slug = _slug(f"remote {job.title} {job.company.name} {rid}")
        extra = {"slug": slug, "mojibake": rng.random() < 0.4}
        job.listings.append(Listing(job, "remoteok", rid, start, job.closes, is_crosspost=True, extra=extra))


def _source_id(rng: random.Random, kind: str, job_id: int, n: int) -> str:
    if kind == "greenhouse":
        return str(4_000_000_000 + job_id * 10 + n)
    if kind == "jsonld":
        return f"{100_000 + job_id * 10 + n}"
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _slug(s: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in s)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")
