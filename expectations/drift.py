"""Drift and coverage suites: is each source still delivering what it used to?

Three frames, one suite each (``drift.volume``, ``drift.rates``, ``drift.freshness``), computed in
DuckDB from ``ops.source_runs`` and the raw/normalised layers:

- volume: postings seen by a source's latest fetch run against the mean of its previous runs
  (trailing window); a warning band and a critical floor ("the source collapsed");
- rates: per source, salary-disclosure rate and classified rate (role other than ``other``) of the
  posting versions first loaded on its latest run date, against its previous run date; only compared
  when both have at least ``min_base`` postings;
- freshness: days since each source's last successful fetch.

Row = source; nothing here is quarantined (no posting is wrong, a source is).
"""

from __future__ import annotations

import great_expectations as gx

from . import critical, warning

VOLUME_SUITE = "drift.volume"
RATES_SUITE = "drift.rates"
FRESHNESS_SUITE = "drift.freshness"

TRAILING_WINDOW = 7  # previous runs averaged
MIN_HISTORY = 3  # runs needed before the volume is judged
VOLUME_BAND = (0.5, 2.0)  # warning: latest / trailing mean outside this band
VOLUME_COLLAPSE = 0.2  # critical: latest below a fifth of the trailing mean
RATE_COLLAPSE = 0.5  # latest rate below half the previous one
VOLUME_STATUSES = ("ok", "empty", "flagged")
FRESH_STATUSES = ("ok", "not_modified")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# Parameters: $window, $min_history.
VOLUME_SQL = f"""
with per_run as (
    select source_name, run_id, min(started_at) as started_at, sum(coalesce(postings_seen, 0)) as postings
    from ops.source_runs
    where status in ({_in(VOLUME_STATUSES)})
    group by source_name, run_id
),
ranked as (
    select *, row_number() over (partition by source_name order by started_at desc, run_id desc) as k
    from per_run
),
history as (
    select source_name, avg(postings) as trailing_mean, count(*) as history_runs
    from ranked
    where k between 2 and 1 + $window
    group by source_name
)
select
    l.source_name,
    l.run_id,
    l.started_at,
    l.postings,
    h.trailing_mean,
    coalesce(h.history_runs, 0) as history_runs,
    case when h.history_runs >= $min_history and h.trailing_mean > 0
         then l.postings / h.trailing_mean end as volume_ratio
from ranked as l
left join history as h on h.source_name = l.source_name
where l.k = 1
order by l.source_name
"""

# Parameters: $min_base.
RATES_SQL = """
with n as (
    select posting_key, content_hash, role, salary_min, salary_max
    from normalised.postings
    qualify row_number() over (partition by posting_key, content_hash order by normalised_at desc) = 1
),
r as (
    select source, posting_key, content_hash, min(run_date) as run_date
    from raw.postings
    group by source, posting_key, content_hash
),
per_date as (
    select
        r.source,
        r.run_date,
        count(*) as n,
        avg(case when n.salary_min is not null or n.salary_max is not null then 1.0 else 0.0 end) as disclosure_rate,
        avg(case when n.role <> 'other' then 1.0 else 0.0 end) as classified_rate
    from r
    join n on n.posting_key = r.posting_key and n.content_hash = r.content_hash
    group by r.source, r.run_date
),
ranked as (select *, row_number() over (partition by source order by run_date desc) as k from per_date)
select
    c.source,
    c.run_date,
    c.n,
    p.run_date as previous_run_date,
    p.n as previous_n,
    c.disclosure_rate,
    p.disclosure_rate as previous_disclosure_rate,
    c.classified_rate,
    p.classified_rate as previous_classified_rate,
    case when c.n >= $min_base and p.n >= $min_base and p.disclosure_rate > 0
         then c.disclosure_rate / p.disclosure_rate end as disclosure_ratio,
    case when c.n >= $min_base and p.n >= $min_base and p.classified_rate > 0
         then c.classified_rate / p.classified_rate end as classified_ratio
from ranked as c
left join ranked as p on p.source = c.source and p.k = 2
where c.k = 1
order by c.source
"""

# Parameters: $now (timestamptz), $sources (varchar[]; empty = every source with a fetch record).
FRESHNESS_SQL = f"""
with runs as (
    select
        source_name,
        max(coalesce(finished_at, started_at)) filter (where status in ({_in(FRESH_STATUSES)})) as last_ok_at,
        max(started_at) as last_attempt_at,
        count(*) as attempts
    from ops.source_runs
    group by source_name
),
configured as (select unnest($sources::varchar[]) as source_name)
select
    coalesce(c.source_name, r.source_name) as source_name,
    r.last_ok_at,
    r.last_attempt_at,
    coalesce(r.attempts, 0) as attempts,
    date_diff('second', r.last_ok_at, $now::timestamptz) / 86400.0 as days_since_ok
from runs as r
full outer join configured as c on c.source_name = r.source_name
where len($sources::varchar[]) = 0 or c.source_name is not null
order by 1
"""


def build_volume_suite(
    *, band: tuple[float, float] = VOLUME_BAND, collapse: float = VOLUME_COLLAPSE
) -> gx.ExpectationSuite:
    e = gx.expectations
    return gx.ExpectationSuite(
        name=VOLUME_SUITE,
        expectations=[
            critical(
                e.ExpectColumnValuesToBeBetween(column="volume_ratio", min_value=collapse),
                f"source volume collapsed below {collapse:.0%} of its trailing mean",
                variant="collapse",
            ),
            warning(
                e.ExpectColumnValuesToBeBetween(column="volume_ratio", min_value=band[0], max_value=band[1]),
                f"source volume outside {band[0]:.0%}–{band[1]:.0%} of its trailing mean",
                variant="band",
            ),
        ],
    )


def build_rates_suite(*, collapse: float = RATE_COLLAPSE) -> gx.ExpectationSuite:
    e = gx.expectations
    return gx.ExpectationSuite(
        name=RATES_SUITE,
        expectations=[
            critical(
                e.ExpectColumnValuesToBeBetween(column="classified_ratio", min_value=collapse),
                f"classified rate fell below {collapse:.0%} of the previous run's",
            ),
            warning(
                e.ExpectColumnValuesToBeBetween(column="disclosure_ratio", min_value=collapse),
                f"salary-disclosure rate fell below {collapse:.0%} of the previous run's",
            ),
        ],
    )


def build_freshness_suite(*, max_days: float) -> gx.ExpectationSuite:
    e = gx.expectations
    return gx.ExpectationSuite(
        name=FRESHNESS_SUITE,
        expectations=[
            warning(
                e.ExpectColumnValuesToNotBeNull(column="days_since_ok"), "source never fetched successfully"
            ),
            warning(
                e.ExpectColumnValuesToBeBetween(column="days_since_ok", max_value=max_days),
                f"no successful fetch in the last {max_days:g} days",
            ),
        ],
    )
