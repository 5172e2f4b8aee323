-- grain: grain_columns in agg_wage_premium.yml (one definition: the marts expectations check it)
-- rows: comparison 'ai_vs_comparable': role 'all_ai' vs the comparable non-AI roles, per country and band
--   ('all' / 'All' for totals); comparison 'ai_skill_within_role': per role, unique roles that name an AI
--   skill vs those that do not (country 'all', band 'All').
-- description: Wage premium = median annual pay midpoint (USD) of the treated side divided by that of the
--   control side, minus one, with n on both sides; suppressed (null) when either side has fewer than the
--   minimum base. Employer-stated and estimated pay are compared separately.

with

settings as (

    select * from staging.stg_settings

),

calendar as (

    select * from intermediate.int_calendar
    where period_grain in ('quarter', 'year')

),

comparable_roles as (

    select role from marts.dim_roles where is_comparable_role

),

paid as not materialized (

    -- read twice: scanning the build's temp copy of int_unique_roles twice costs less than copying this

    select
        unique_roles.role,
        unique_roles.is_ai_role,
        unique_roles.role in (select role from comparable_roles) as is_comparable_role,
        unique_roles.country,
        unique_roles.seniority_band,
        unique_roles.has_ai_skill,
        unique_roles.pay_basis,
        unique_roles.pay_midpoint_usd,
        grains.period_grain,
        cast(date_trunc(grains.period_grain, unique_roles.new_date) as date) as period_start
    from intermediate.int_unique_roles as unique_roles
    cross join (select distinct period_grain from calendar) as grains
    where unique_roles.pay_midpoint_usd is not null

),

ai_vs_comparable as (

    select
        'ai_vs_comparable' as comparison,
        period_grain,
        period_start,
        'all_ai' as role,
        country_group as country,
        band_group as band,
        pay_basis,
        count(*) filter (where is_ai_role) as n_treated,
        count(*) filter (where is_comparable_role) as n_control,
        median(pay_midpoint_usd) filter (where is_ai_role) as median_treated_usd,
        median(pay_midpoint_usd) filter (where is_comparable_role) as median_control_usd
    from paid,
        unnest([country, 'all']) as c (country_group),
        unnest([seniority_band, 'All']) as b (band_group)
    where is_ai_role or is_comparable_role
    group by all

),

ai_skill_within_role as (

    select
        'ai_skill_within_role' as comparison,
        period_grain,
        period_start,
        role,
        'all' as country,
        'All' as band,
        pay_basis,
        count(*) filter (where has_ai_skill) as n_treated,
        count(*) filter (where not has_ai_skill) as n_control,
        median(pay_midpoint_usd) filter (where has_ai_skill) as median_treated_usd,
        median(pay_midpoint_usd) filter (where not has_ai_skill) as median_control_usd
    from paid
    group by all

),

unioned as (

    select * from ai_vs_comparable
    union all
    select * from ai_skill_within_role

),

final as (

    select
        unioned.comparison,
        unioned.period_grain,
        unioned.period_start,
        calendar.period_end,
        calendar.is_complete,
        unioned.role,
        unioned.country,
        unioned.band,
        unioned.pay_basis,
        unioned.n_treated,
        unioned.n_control,
        unioned.median_treated_usd,
        unioned.median_control_usd,
        case
            when unioned.n_treated >= s.min_base and unioned.n_control >= s.min_base
                and unioned.median_control_usd > 0
                then unioned.median_treated_usd / unioned.median_control_usd - 1
        end as wage_premium,
        not (unioned.n_treated >= s.min_base and unioned.n_control >= s.min_base) as is_suppressed,
        case unioned.comparison
            when 'ai_vs_comparable' then 'AI roles vs comparable non-AI roles, same period, country and band'
            else 'unique roles naming an AI skill vs the others, same role and period'
        end as comparison_note,
        s.min_base,
        s.taxonomy_version
    from unioned
    inner join calendar
        on calendar.period_grain = unioned.period_grain
        and calendar.period_start = unioned.period_start
    cross join settings as s

)

select * from final
