-- Wage premium for the latest complete year (else the latest year): AI vs comparable roles (country
-- 'all', per band) and AI-skill vs other unique roles within each role; both n.
with

latest as (

    select coalesce(max(period_start) filter (where is_complete), max(period_start)) as period_start
    from marts.agg_wage_premium
    where period_grain = 'year'

)

select
    w.comparison,
    strftime(w.period_start, '%Y') as period,
    strftime(w.period_start, '%Y-%m-%d') as period_start,
    w.role,
    coalesce(r.role_name, w.role) as role_name,
    w.band,
    w.pay_basis,
    w.n_treated,
    w.n_control,
    w.median_treated_usd,
    w.median_control_usd,
    w.wage_premium
from marts.agg_wage_premium as w
inner join latest on latest.period_start = w.period_start
left join marts.dim_roles as r on r.role = w.role
where w.period_grain = 'year' and w.country = 'all'
    and (w.comparison = 'ai_skill_within_role' and w.band = 'All' or w.comparison = 'ai_vs_comparable')
order by w.comparison, w.pay_basis, w.role, w.band
