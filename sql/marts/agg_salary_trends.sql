-- grain: grain_columns in agg_salary_trends.yml (one definition: the marts expectations check it)
-- rows: role 'all_ai' is all AI roles, band 'All' every band; pay_basis is employer_stated or estimated
--   (never mixed).
-- description: Pay of new unique roles per month/quarter/year, role and seniority band (Entry-Level =
--   intern + entry, Mid-Level = mid, Senior+ = senior + staff_principal, Manager, Unspecified): how many
--   have pay, the typical range (median annual minimum to median annual maximum) and p25/median/p75 of
--   the annual midpoint, all in USD (converted at the rate of the posting's month). A role with no pay has
--   rows with n_with_pay = 0 and empty figures.

with

settings as (

    select * from staging.stg_settings

),

calendar as (

    select * from intermediate.int_calendar
    where period_grain in ('month', 'quarter', 'year')

),

grains as (

    select distinct period_grain from calendar

),

unique_roles as not materialized (

    -- the build reads a temp copy of int_unique_roles: scanning it four times costs less than copying it

    select
        role, is_ai_role, seniority_band, new_date,
        annual_min_usd, annual_max_usd, pay_midpoint_usd, pay_basis
    from intermediate.int_unique_roles

),

---------- how many unique roles each group has (with or without pay): per day first, then per period

totals as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, d.day) as date) as period_start,
        role_group as role,
        band_group as band,
        cast(sum(d.unique_roles) as bigint) as unique_roles
    from (
        select role, is_ai_role, seniority_band, new_date as day, count(*) as unique_roles
        from unique_roles
        group by all
    ) as d
    cross join grains,
        unnest(case when d.is_ai_role then [d.role, 'all_ai'] else [d.role] end) as r (role_group),
        unnest([d.seniority_band, 'All']) as b (band_group)
    group by all

),

---------- pay statistics over the unique roles with pay only

role_groups as (

    -- each role counts for itself and, for an AI role, for 'all_ai' (a join: cheaper than a lateral unnest)
    select roles.role, roles.is_ai_role, role_group
    from (select distinct role, is_ai_role from unique_roles) as roles,
        unnest(case when roles.is_ai_role then [roles.role, 'all_ai'] else [roles.role] end) as r (role_group)

),

band_groups as (

    select bands.seniority_band, band_group
    from (select distinct seniority_band from unique_roles) as bands,
        unnest([bands.seniority_band, 'All']) as b (band_group)

),

paid as not materialized (

    select
        grains.period_grain,
        case grains.period_grain
            when 'month' then u.month_start
            when 'quarter' then u.quarter_start
            when 'year' then u.year_start
            else cast(date_trunc(grains.period_grain, u.new_date) as date)
        end as period_start,
        role_groups.role_group as role,
        band_groups.band_group as band,
        u.pay_basis,
        u.annual_min_usd,
        u.annual_max_usd,
        u.pay_midpoint_usd
    from (
        -- period starts computed once per unique role (date_trunc of a constant part is cheap)
        select
            *,
            cast(date_trunc('month', new_date) as date) as month_start,
            cast(date_trunc('quarter', new_date) as date) as quarter_start,
            cast(date_trunc('year', new_date) as date) as year_start
        from unique_roles
        where pay_basis is not null
    ) as u
    inner join role_groups on role_groups.role = u.role and role_groups.is_ai_role = u.is_ai_role
    inner join band_groups on band_groups.seniority_band = u.seniority_band
    cross join grains

),

pay_stats as (

    -- one aggregate per grain, one after the other: DuckDB's median/quantile states hold every value of
    -- their group and spill badly (at 3M postings under the build's memory limit, one aggregate over
    -- all grains filled the disk, also over committed, analysed tables); a third of the values at a time
    -- stays in memory. Written out three times: a loop or macro would have to live in the database
    (
        select
            period_grain,
            period_start,
            role,
            band,
            pay_basis,
            count(*) as n_with_pay,
            median(annual_min_usd) as median_annual_min_usd,
            median(annual_max_usd) as median_annual_max_usd,
            -- the three quantiles of the midpoint from one sorted copy (same values as three aggregates)
            quantile_cont(pay_midpoint_usd, [0.25, 0.5, 0.75]) as midpoint_quartiles
        from paid
        where period_grain = 'month'
        group by all
    )

        union all

    (
        select
            period_grain,
            period_start,
            role,
            band,
            pay_basis,
            count(*) as n_with_pay,
            median(annual_min_usd) as median_annual_min_usd,
            median(annual_max_usd) as median_annual_max_usd,
            -- the three quantiles of the midpoint from one sorted copy (same values as three aggregates)
            quantile_cont(pay_midpoint_usd, [0.25, 0.5, 0.75]) as midpoint_quartiles
        from paid
        where period_grain = 'quarter'
        group by all
    )

        union all

    (
        select
            period_grain,
            period_start,
            role,
            band,
            pay_basis,
            count(*) as n_with_pay,
            median(annual_min_usd) as median_annual_min_usd,
            median(annual_max_usd) as median_annual_max_usd,
            -- the three quantiles of the midpoint from one sorted copy (same values as three aggregates)
            quantile_cont(pay_midpoint_usd, [0.25, 0.5, 0.75]) as midpoint_quartiles
        from paid
        where period_grain = 'year'
        group by all
    )

),

aggregated as (

    select
        totals.period_grain,
        totals.period_start,
        totals.role,
        totals.band,
        basis.pay_basis,
        totals.unique_roles,
        coalesce(pay_stats.n_with_pay, 0) as n_with_pay,
        pay_stats.median_annual_min_usd,
        pay_stats.median_annual_max_usd,
        pay_stats.midpoint_quartiles[1] as p25_midpoint_usd,
        pay_stats.midpoint_quartiles[2] as median_midpoint_usd,
        pay_stats.midpoint_quartiles[3] as p75_midpoint_usd
    from totals
    cross join (values ('employer_stated'), ('estimated')) as basis (pay_basis)
    left join pay_stats
        on pay_stats.period_grain = totals.period_grain
        and pay_stats.period_start = totals.period_start
        and pay_stats.role = totals.role
        and pay_stats.band = totals.band
        and pay_stats.pay_basis = basis.pay_basis

),

final as (

    select
        aggregated.period_grain,
        aggregated.period_start,
        calendar.period_end,
        calendar.is_complete,
        aggregated.role,
        aggregated.band,
        aggregated.pay_basis,
        aggregated.unique_roles,
        aggregated.n_with_pay,
        aggregated.n_with_pay / aggregated.unique_roles as pay_coverage,
        aggregated.median_annual_min_usd,
        aggregated.median_annual_max_usd,
        aggregated.p25_midpoint_usd,
        aggregated.median_midpoint_usd,
        aggregated.p75_midpoint_usd,
        aggregated.n_with_pay < s.min_base as is_below_min_base,
        'USD, annualised, converted at the rate of the posting''s month' as currency_note,
        s.min_base,
        s.taxonomy_version
    from aggregated
    inner join calendar
        on calendar.period_grain = aggregated.period_grain
        and calendar.period_start = aggregated.period_start
    cross join settings as s

)

select * from final
