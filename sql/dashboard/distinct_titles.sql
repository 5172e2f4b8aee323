-- Distinct normalised AI titles per quarter (all AI roles together), with the year-over-year change.
select
    period_grain,
    strftime(period_start, '%Y-%m-%d') as period_start,
    is_complete,
    role,
    distinct_titles,
    yoy_base_distinct_titles,
    yoy_change,
    is_yoy_suppressed
from marts.agg_distinct_titles
where period_grain = 'quarter' and role = 'all_ai'
order by period_start
