-- Salary ranges per AI role and band for the latest complete year (else the latest year with pay),
-- employer-stated and estimated pay apart.
with

latest as (

    select coalesce(max(period_start) filter (where is_complete), max(period_start)) as period_start
    from marts.agg_salary_trends
    where period_grain = 'year' and n_with_pay > 0

)

select
    strftime(s.period_start, '%Y') as period,
    strftime(s.period_start, '%Y-%m-%d') as period_start,
    s.role,
    coalesce(r.role_name, s.role) as role_name,
    s.band,
    s.pay_basis,
    s.unique_roles,
    s.n_with_pay,
    s.median_annual_min_usd,
    s.median_annual_max_usd,
    s.median_midpoint_usd,
    s.is_below_min_base
from marts.agg_salary_trends as s
inner join latest on latest.period_start = s.period_start
inner join marts.dim_roles as r on r.role = s.role
where s.period_grain = 'year' and s.band in ('Entry-Level', 'Mid-Level', 'Senior+')
    and (r.is_ai_role or s.role = 'all_ai') and s.n_with_pay > 0
order by s.role, s.band, s.pay_basis
