-- grain: one row per (period_grain, period_start, role, seniority, country); 'all' rows are totals,
--   role 'all_ai' is every AI role together; every period from the first to the last observed day.
-- description: New and active postings and unique roles per week/month/quarter/year and role, their share of
--   all roles, period-over-period and year-over-year change (suppressed below the minimum base), and (on
--   role totals: seniority and country 'all') the change on the fixed panel of companies observed in both
--   periods, with the panel's size.

with

settings as (

    select * from staging.stg_settings

),

calendar as (

    select * from intermediate.int_calendar
    where period_grain in ('week', 'month', 'quarter', 'year')

),

grains as (

    select distinct period_grain from calendar

),

units as (

    select
        'posting' as unit,
        role, is_ai_role, seniority, country,
        new_date, active_from_date, active_to_date
    from intermediate.int_postings
    union all
    select
        'unique_role' as unit,
        role, is_ai_role, seniority, country,
        new_date, active_from_date, active_to_date
    from intermediate.int_unique_roles

),

---------- per day first (one pass over the postings), then per period on the small daily tables

daily as (

    select
        role, is_ai_role, seniority, country,
        e.ev.event as event,
        e.ev.day as day,
        count(*) filter (where unit = 'posting') as postings,
        count(*) filter (where unit = 'unique_role') as unique_roles
    from units,
        unnest([
            {'event': 'new', 'day': new_date},
            {'event': 'start', 'day': active_from_date},
            {'event': 'end', 'day': active_to_date}
        ]) as e (ev)
    group by all

),

by_period as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, daily.day) as date) as period_start,
        daily.role, daily.is_ai_role, daily.seniority, daily.country, daily.event,
        cast(sum(daily.postings) as bigint) as postings,
        cast(sum(daily.unique_roles) as bigint) as unique_roles
    from daily
    cross join grains
    group by all

),

---------- totals: each row counts for its role, 'all_ai' (AI roles) and 'all'; its seniority and 'all'; ...

rolled as (

    select
        period_grain, period_start, role_group as role, seniority_group as seniority,
        country_group as country, event,
        cast(sum(postings) as bigint) as postings,
        cast(sum(unique_roles) as bigint) as unique_roles
    from by_period,
        unnest(case when is_ai_role then [role, 'all_ai', 'all'] else [role, 'all'] end) as r (role_group),
        unnest([seniority, 'all']) as s (seniority_group),
        unnest([country, 'all']) as c (country_group)
    group by all

),

new_rolled as (

    select period_grain, period_start, role, seniority, country,
        postings as new_postings, unique_roles as new_unique_roles
    from rolled where event = 'new'

),

starts_rolled as (

    select period_grain, period_start, role, seniority, country,
        postings as started_postings, unique_roles as started_unique_roles
    from rolled where event = 'start'

),

ends_rolled as (

    select period_grain, period_start, role, seniority, country,
        postings as ended_postings, unique_roles as ended_unique_roles
    from rolled where event = 'end'

),

---------- company-level counts of new unique roles, for the fixed panel (role totals only)

company_new as (

    select
        case
            when week_start is not null then 'week'
            when month_start is not null then 'month'
            when quarter_start is not null then 'quarter'
            else 'year'
        end as period_grain,
        coalesce(week_start, month_start, quarter_start, year_start) as period_start,
        role, is_ai_role, company_key,
        count(*) as new_unique_roles
    from (
        select
            role, is_ai_role, company_key,
            cast(date_trunc('week', new_date) as date) as week_start,
            cast(date_trunc('month', new_date) as date) as month_start,
            cast(date_trunc('quarter', new_date) as date) as quarter_start,
            cast(date_trunc('year', new_date) as date) as year_start
        from intermediate.int_unique_roles
        where company_key <> ''
    )
    group by grouping sets (
        (role, is_ai_role, company_key, week_start),
        (role, is_ai_role, company_key, month_start),
        (role, is_ai_role, company_key, quarter_start),
        (role, is_ai_role, company_key, year_start)
    )

),

new_by_company_rolled as (

    select
        period_grain, period_start, role_group as role, company_key,
        cast(sum(new_unique_roles) as bigint) as new_unique_roles
    from company_new,
        unnest(case when is_ai_role then [role, 'all_ai', 'all'] else [role, 'all'] end) as r (role_group)
    group by all

),

---------- every period for every key that occurs at all (empty periods are rows with zeros)

keys as (

    select distinct period_grain, role, seniority, country from starts_rolled

),

dense_keys as (

    select
        calendar.period_grain,
        calendar.period_start,
        calendar.period_end,
        calendar.yoy_base_start,
        calendar.pop_base_start,
        calendar.is_complete,
        keys.role,
        keys.seniority,
        keys.country
    from keys
    inner join calendar on calendar.period_grain = keys.period_grain

),

dense as (

    select
        dense_keys.*,
        coalesce(new_rolled.new_postings, 0) as new_postings,
        coalesce(new_rolled.new_unique_roles, 0) as new_unique_roles,
        coalesce(starts_rolled.started_postings, 0) as started_postings,
        coalesce(starts_rolled.started_unique_roles, 0) as started_unique_roles,
        coalesce(ends_rolled.ended_postings, 0) as ended_postings,
        coalesce(ends_rolled.ended_unique_roles, 0) as ended_unique_roles
    from dense_keys
    left join new_rolled using (period_grain, period_start, role, seniority, country)
    left join starts_rolled using (period_grain, period_start, role, seniority, country)
    left join ends_rolled using (period_grain, period_start, role, seniority, country)

),

counts as (

    -- active in a period = started in or before it, minus ended before it
    select
        * exclude (started_postings, started_unique_roles, ended_postings, ended_unique_roles),
        cast(
            sum(started_postings - ended_postings) over running + ended_postings as bigint
        ) as active_postings,
        cast(
            sum(started_unique_roles - ended_unique_roles) over running + ended_unique_roles as bigint
        ) as active_unique_roles,
        max(case when role = 'all' then new_unique_roles end) over same_period as all_new_unique_roles,
        max(case when role = 'all' then new_postings end) over same_period as all_new_postings
    from dense
    window
        running as (
            partition by period_grain, role, seniority, country
            order by period_start
            rows between unbounded preceding and current row
        ),
        same_period as (partition by period_grain, period_start, seniority, country)

),

---------- fixed panel: companies with a new posting in both the period and its base period

observed as (

    select distinct period_grain, period_start, company_key
    from company_new

),

panel_pairs as (

    select 'yoy' as comparison, calendar.period_grain, calendar.period_start,
        calendar.yoy_base_start as base_start, this.company_key
    from calendar
    inner join observed as this
        on this.period_grain = calendar.period_grain and this.period_start = calendar.period_start
    inner join observed as base
        on base.period_grain = calendar.period_grain and base.period_start = calendar.yoy_base_start
        and base.company_key = this.company_key
    union all
    select 'pop' as comparison, calendar.period_grain, calendar.period_start,
        calendar.pop_base_start as base_start, this.company_key
    from calendar
    inner join observed as this
        on this.period_grain = calendar.period_grain and this.period_start = calendar.period_start
    inner join observed as base
        on base.period_grain = calendar.period_grain and base.period_start = calendar.pop_base_start
        and base.company_key = this.company_key

),

panel_size as (

    select comparison, period_grain, period_start, count(*) as panel_companies
    from panel_pairs
    group by all

),

panel_this as (

    select
        panel_pairs.comparison, panel_pairs.period_grain, panel_pairs.period_start,
        c.role,
        cast(sum(c.new_unique_roles) as bigint) as panel_new_unique_roles
    from panel_pairs
    inner join new_by_company_rolled as c
        on c.period_grain = panel_pairs.period_grain
        and c.period_start = panel_pairs.period_start
        and c.company_key = panel_pairs.company_key
    group by all

),

panel_base as (

    select
        panel_pairs.comparison, panel_pairs.period_grain, panel_pairs.period_start,
        c.role,
        cast(sum(c.new_unique_roles) as bigint) as panel_base_new_unique_roles
    from panel_pairs
    inner join new_by_company_rolled as c
        on c.period_grain = panel_pairs.period_grain
        and c.period_start = panel_pairs.base_start
        and c.company_key = panel_pairs.company_key
    group by all

),

panel as (

    -- one row per (comparison, period, role) with a panel; seniority/country rows carry no panel
    select
        panel_size.comparison,
        panel_size.period_grain,
        panel_size.period_start,
        roles.role,
        panel_size.panel_companies,
        coalesce(panel_this.panel_new_unique_roles, 0) as panel_new_unique_roles,
        coalesce(panel_base.panel_base_new_unique_roles, 0) as panel_base_new_unique_roles
    from panel_size
    inner join (select distinct period_grain, role from new_by_company_rolled) as roles
        on roles.period_grain = panel_size.period_grain
    left join panel_this
        on panel_this.comparison = panel_size.comparison
        and panel_this.period_grain = panel_size.period_grain
        and panel_this.period_start = panel_size.period_start
        and panel_this.role = roles.role
    left join panel_base
        on panel_base.comparison = panel_size.comparison
        and panel_base.period_grain = panel_size.period_grain
        and panel_base.period_start = panel_size.period_start
        and panel_base.role = roles.role

),

---------- base periods and changes

with_bases as (

    select
        counts.*,
        yoy.new_postings as yoy_base_new_postings,
        yoy.new_unique_roles as yoy_base_new_unique_roles,
        pop.new_postings as pop_base_new_postings,
        pop.new_unique_roles as pop_base_new_unique_roles,
        case when counts.seniority = 'all' and counts.country = 'all'
            then coalesce(panel_yoy.panel_companies, 0) end as yoy_panel_companies,
        case when counts.seniority = 'all' and counts.country = 'all'
            then coalesce(panel_yoy.panel_new_unique_roles, 0) end as yoy_panel_new_unique_roles,
        case when counts.seniority = 'all' and counts.country = 'all'
            then coalesce(panel_yoy.panel_base_new_unique_roles, 0) end as yoy_panel_base_new_unique_roles,
        case when counts.seniority = 'all' and counts.country = 'all'
            then coalesce(panel_pop.panel_companies, 0) end as pop_panel_companies,
        case when counts.seniority = 'all' and counts.country = 'all'
            then coalesce(panel_pop.panel_new_unique_roles, 0) end as pop_panel_new_unique_roles,
        case when counts.seniority = 'all' and counts.country = 'all'
            then coalesce(panel_pop.panel_base_new_unique_roles, 0) end as pop_panel_base_new_unique_roles
    from counts
    left join counts as yoy
        on yoy.period_grain = counts.period_grain
        and yoy.period_start = counts.yoy_base_start
        and yoy.role = counts.role
        and yoy.seniority = counts.seniority
        and yoy.country = counts.country
    left join counts as pop
        on pop.period_grain = counts.period_grain
        and pop.period_start = counts.pop_base_start
        and pop.role = counts.role
        and pop.seniority = counts.seniority
        and pop.country = counts.country
    left join panel as panel_yoy
        on panel_yoy.comparison = 'yoy'
        and panel_yoy.period_grain = counts.period_grain
        and panel_yoy.period_start = counts.period_start
        and panel_yoy.role = counts.role
        and counts.seniority = 'all'
        and counts.country = 'all'
    left join panel as panel_pop
        on panel_pop.comparison = 'pop'
        and panel_pop.period_grain = counts.period_grain
        and panel_pop.period_start = counts.period_start
        and panel_pop.role = counts.role
        and counts.seniority = 'all'
        and counts.country = 'all'

),

final as (

    select
        ---------- keys
        period_grain,
        period_start,
        period_end,
        is_complete,
        role,
        seniority,
        country,

        ---------- counts
        new_postings,
        new_unique_roles,
        active_postings,
        active_unique_roles,
        case when all_new_postings > 0 then new_postings / all_new_postings end as share_of_new_postings,
        case when all_new_unique_roles > 0 then new_unique_roles / all_new_unique_roles end
            as share_of_new_unique_roles,

        ---------- period over period (unique roles)
        pop_base_start,
        coalesce(pop_base_new_unique_roles, 0) as pop_base_new_unique_roles,
        case
            when pop_base_new_unique_roles >= s.min_base
                then (new_unique_roles - pop_base_new_unique_roles) / pop_base_new_unique_roles
        end as pop_change,
        coalesce(pop_base_new_unique_roles, 0) < s.min_base as is_pop_suppressed,
        pop_panel_companies,
        pop_panel_new_unique_roles,
        pop_panel_base_new_unique_roles,
        case
            when pop_panel_base_new_unique_roles >= s.min_base
                then (pop_panel_new_unique_roles - pop_panel_base_new_unique_roles)
                / pop_panel_base_new_unique_roles
        end as pop_panel_change,

        ---------- year over year (unique roles; postings alongside)
        yoy_base_start,
        coalesce(yoy_base_new_unique_roles, 0) as yoy_base_new_unique_roles,
        case
            when yoy_base_new_unique_roles >= s.min_base
                then (new_unique_roles - yoy_base_new_unique_roles) / yoy_base_new_unique_roles
        end as yoy_change,
        coalesce(yoy_base_new_unique_roles, 0) < s.min_base as is_yoy_suppressed,
        coalesce(yoy_base_new_postings, 0) as yoy_base_new_postings,
        case
            when yoy_base_new_postings >= s.min_base
                then (new_postings - yoy_base_new_postings) / yoy_base_new_postings
        end as yoy_change_postings,
        yoy_panel_companies,
        yoy_panel_new_unique_roles,
        yoy_panel_base_new_unique_roles,
        case
            when yoy_panel_base_new_unique_roles >= s.min_base
                then (yoy_panel_new_unique_roles - yoy_panel_base_new_unique_roles)
                / yoy_panel_base_new_unique_roles
        end as yoy_panel_change,

        ---------- provenance
        s.min_base,
        s.taxonomy_version
    from with_bases
    cross join settings as s

)

select * from final
