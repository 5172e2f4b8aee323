-- New unique roles per month and quarter for every AI role (and all AI roles together), with the
-- year-over-year change (plain and fixed panel), its suppression flag and the panel size.
select
    g.period_grain,
    strftime(g.period_start, '%Y-%m-%d') as period_start,
    g.is_complete,
    g.role,
    coalesce(r.role_name, g.role) as role_name,
    g.new_unique_roles,
    g.new_postings,
    g.share_of_new_unique_roles,
    g.yoy_base_new_unique_roles,
    g.yoy_change,
    g.is_yoy_suppressed,
    g.yoy_panel_change,
    g.yoy_panel_companies,
    g.min_base
from marts.agg_title_growth as g
inner join marts.dim_roles as r on r.role = g.role
where g.period_grain in ('month', 'quarter') and g.seniority = 'all' and g.country = 'all'
    and (r.is_ai_role or g.role = 'all_ai')
order by g.period_grain, g.role, g.period_start
