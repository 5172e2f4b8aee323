-- Fixed-panel sizes behind the year-over-year growth claims (companies observed in both periods).
select
    'growth_yoy_panel:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role as claim_id,
    yoy_panel_companies as panel_companies
from marts.agg_title_growth
where seniority = 'all' and country = 'all'
    and period_grain in ('month', 'quarter')
