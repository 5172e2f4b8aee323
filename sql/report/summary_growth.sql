-- Year-over-year growth of new unique roles per AI role, latest complete year (else the latest year),
-- with the fixed-panel change and its panel size; changes below the minimum base are suppressed (empty).
with

latest as (

    select coalesce(max(period_start) filter (where is_complete), max(period_start)) as period_start
    from marts.agg_title_growth
    where period_grain = 'year' and role = 'all' and seniority = 'all' and country = 'all'
        and new_unique_roles > 0

)

select
    g.role,
    strftime(g.period_start, '%Y') as year,
    g.new_unique_roles,
    g.yoy_base_new_unique_roles as year_before,
    case when g.yoy_change is not null then printf('%+.1f%%', 100 * g.yoy_change) else 'suppressed' end as yoy,
    case when g.yoy_panel_change is not null then printf('%+.1f%%', 100 * g.yoy_panel_change) else 'suppressed' end
        as yoy_fixed_panel,
    g.yoy_panel_companies as panel_companies
from marts.agg_title_growth as g
inner join latest on latest.period_start = g.period_start
inner join marts.dim_roles as r on r.role = g.role
where g.period_grain = 'year' and g.seniority = 'all' and g.country = 'all' and r.is_ai_role
order by g.role = 'all_ai' desc, g.new_unique_roles desc, g.role
