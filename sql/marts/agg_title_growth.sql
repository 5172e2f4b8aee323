-- grain: grain_columns in agg_title_growth.yml (one definition: the marts expectations check it)
-- rows: 'all' rows are totals, role 'all_ai' is every AI role together; every period from the first to the
--   last observed day.
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

unique_roles as not materialized (

    -- the build reads a temp copy of int_unique_roles: scanning it twice costs less than copying it
    select
        role, is_ai_role, seniority, country, company_key, new_date, active_from_date, active_to_date,
        posting_count
    from intermediate.int_unique_roles

),

merged_roles as (

    select distinct unique_role_id from intermediate.int_posting_facts where not is_canonical

),

units as (

    -- every posting counts in the posting unit. A unique role of one posting has that posting's role,
    -- place and dates, so the posting's row counts it in the unique-role unit too; only unique roles of
    -- several postings (their active interval spans all of them) need rows of their own
    select
        role, is_ai_role, seniority, country,
        new_date, active_from_date, active_to_date,
        1 as postings,
        case
            when is_canonical and unique_role_id not in (select unique_role_id from merged_roles) then 1
            else 0
        end as unique_roles
    from intermediate.int_posting_facts
    union all
    select
        role, is_ai_role, seniority, country,
        new_date, active_from_date, active_to_date,
        0 as postings,
        1 as unique_roles
    from unique_roles
    where posting_count > 1

),

---------- per day first (one pass over the postings), then per period on the small daily tables; the three
---------- events (new, start, end) are columns of one row, so every step groups and joins once

intervals as (

    -- units with the same key and dates counted together (one pass; many share their dates)
    select
        role, is_ai_role, seniority, country, new_date, active_from_date, active_to_date,
        sum(postings) as postings,
        sum(unique_roles) as unique_roles
    from units
    group by all

),

daily as (

    -- three events per unit: new (new date), start (active from) and end (active to)
    select
        role, is_ai_role, seniority, country, day,
        sum(new_postings) as new_postings,
        sum(new_unique_roles) as new_unique_roles,
        sum(started_postings) as started_postings,
        sum(started_unique_roles) as started_unique_roles,
        sum(ended_postings) as ended_postings,
        sum(ended_unique_roles) as ended_unique_roles
    from (
        select
            role, is_ai_role, seniority, country, new_date as day,
            postings as new_postings, unique_roles as new_unique_roles,
            0 as started_postings, 0 as started_unique_roles, 0 as ended_postings, 0 as ended_unique_roles
        from intervals
        union all
        select
            role, is_ai_role, seniority, country, active_from_date, 0, 0, postings, unique_roles, 0, 0
        from intervals
        union all
        select
            role, is_ai_role, seniority, country, active_to_date, 0, 0, 0, 0, postings, unique_roles
        from intervals
    )
    group by all

),

by_period as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, daily.day) as date) as period_start,
        daily.role, daily.is_ai_role, daily.seniority, daily.country,
        sum(daily.new_postings) as new_postings,
        sum(daily.new_unique_roles) as new_unique_roles,
        sum(daily.started_postings) as started_postings,
        sum(daily.started_unique_roles) as started_unique_roles,
        sum(daily.ended_postings) as ended_postings,
        sum(daily.ended_unique_roles) as ended_unique_roles
    from daily
    cross join grains
    group by all

),

---------- totals: each row counts for its role, 'all_ai' (AI roles) and 'all'; its seniority and 'all'; ...

rolled as (

    select
        period_grain, period_start, role_group as role, seniority_group as seniority,
        country_group as country,
        cast(sum(new_postings) as bigint) as new_postings,
        cast(sum(new_unique_roles) as bigint) as new_unique_roles,
        cast(sum(started_postings) as bigint) as started_postings,
        cast(sum(started_unique_roles) as bigint) as started_unique_roles,
        cast(sum(ended_postings) as bigint) as ended_postings,
        cast(sum(ended_unique_roles) as bigint) as ended_unique_roles
    from by_period,
        unnest(case when is_ai_role then [role, 'all_ai', 'all'] else [role, 'all'] end) as r (role_group),
        unnest([seniority, 'all']) as s (seniority_group),
        unnest([country, 'all']) as c (country_group)
    group by all

),

---------- company-level counts of new unique roles, for the fixed panel (role totals only)

companies as (

    -- a small integer per company key: the company-level tables group and join on it
    select company_key, row_number() over () as company_id
    from (select distinct company_key from unique_roles where company_key <> '')

),

company_roles as (

    select unique_roles.role, unique_roles.is_ai_role, companies.company_id, unique_roles.new_date
    from unique_roles
    inner join companies on companies.company_key = unique_roles.company_key

),

company_weeks as (

    select role, is_ai_role, company_id, cast(date_trunc('week', new_date) as date) as week_start, count(*) as n
    from company_roles
    group by all

),

company_months as (

    select role, is_ai_role, company_id, cast(date_trunc('month', new_date) as date) as month_start, count(*) as n
    from company_roles
    group by all

),

company_new as (

    -- one row per (period_grain, period_start, role, company); quarters and years from the months
    select 'week' as period_grain, week_start as period_start, role, is_ai_role, company_id, n as new_unique_roles
    from company_weeks
    union all
    select 'month', month_start, role, is_ai_role, company_id, n
    from company_months
    union all
    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, m.month_start) as date),
        m.role, m.is_ai_role, m.company_id, sum(m.n)
    from company_months as m
    cross join (values ('quarter'), ('year')) as grains (period_grain)
    group by all

),

---------- every period for every key that occurs at all (empty periods are rows with zeros)

keys as (

    -- every unit has all three events: the keys with any event are those with a start
    select distinct period_grain, role, seniority, country from rolled

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
        coalesce(rolled.new_postings, 0) as new_postings,
        coalesce(rolled.new_unique_roles, 0) as new_unique_roles,
        coalesce(rolled.started_postings, 0) as started_postings,
        coalesce(rolled.started_unique_roles, 0) as started_unique_roles,
        coalesce(rolled.ended_postings, 0) as ended_postings,
        coalesce(rolled.ended_unique_roles, 0) as ended_unique_roles
    from dense_keys
    left join rolled using (period_grain, period_start, role, seniority, country)

),

counts as (

    -- active in a period = started in or before it, minus ended before it
    select
        dense.* exclude (started_postings, started_unique_roles, ended_postings, ended_unique_roles),
        cast(
            sum(dense.started_postings - dense.ended_postings) over running + dense.ended_postings as bigint
        ) as active_postings,
        cast(
            sum(dense.started_unique_roles - dense.ended_unique_roles) over running + dense.ended_unique_roles
            as bigint
        ) as active_unique_roles,
        -- every (period, seniority, country) of a key has its role 'all' row (the role total)
        all_roles.new_unique_roles as all_new_unique_roles,
        all_roles.new_postings as all_new_postings
    from dense
    left join dense as all_roles
        on all_roles.period_grain = dense.period_grain
        and all_roles.period_start = dense.period_start
        and all_roles.role = 'all'
        and all_roles.seniority = dense.seniority
        and all_roles.country = dense.country
    window
        running as (
            partition by dense.period_grain, dense.role, dense.seniority, dense.country
            order by dense.period_start
            rows between unbounded preceding and current row
        )

),

---------- fixed panel: companies with a new unique role in both the period and its base period

observed as (

    select distinct period_grain, period_start, company_id
    from company_new

),

observed_in_panels as (

    -- per company and period: in the panel of this period (observed in its base period too), and in the
    -- panel of the period whose base this period is (observed in that later period too)
    select
        observed.period_grain,
        observed.period_start,
        observed.company_id,
        yoy_base.company_id is not null as in_yoy_panel,
        pop_base.company_id is not null as in_pop_panel,
        yoy_later.company_id is not null as in_later_yoy_panel,
        pop_later.company_id is not null as in_later_pop_panel
    from observed
    left join calendar as this
        on this.period_grain = observed.period_grain and this.period_start = observed.period_start
    left join observed as yoy_base
        on yoy_base.period_grain = observed.period_grain
        and yoy_base.period_start = this.yoy_base_start
        and yoy_base.company_id = observed.company_id
    left join observed as pop_base
        on pop_base.period_grain = observed.period_grain
        and pop_base.period_start = this.pop_base_start
        and pop_base.company_id = observed.company_id
    left join calendar as yoy_next
        on yoy_next.period_grain = observed.period_grain and yoy_next.yoy_base_start = observed.period_start
    left join observed as yoy_later
        on yoy_later.period_grain = observed.period_grain
        and yoy_later.period_start = yoy_next.period_start
        and yoy_later.company_id = observed.company_id
    left join calendar as pop_next
        on pop_next.period_grain = observed.period_grain and pop_next.pop_base_start = observed.period_start
    left join observed as pop_later
        on pop_later.period_grain = observed.period_grain
        and pop_later.period_start = pop_next.period_start
        and pop_later.company_id = observed.company_id

),

panel_size as (

    select
        comparison, period_grain, period_start, panel_companies
    from (
        select
            period_grain,
            period_start,
            count(*) filter (where in_yoy_panel) as yoy,
            count(*) filter (where in_pop_panel) as pop
        from observed_in_panels
        group by period_grain, period_start
    )
    unpivot (panel_companies for comparison in (yoy, pop))
    where panel_companies > 0

),

panel_role_counts as (

    -- new unique roles of panel companies, per role, in the period itself (this) and as the base of a
    -- later period (attributed to that period below); every role with a company-level count has a row
    select
        company_new.period_grain,
        company_new.period_start,
        company_new.role,
        company_new.is_ai_role,
        sum(company_new.new_unique_roles) filter (where observed_in_panels.in_yoy_panel) as yoy_this,
        sum(company_new.new_unique_roles) filter (where observed_in_panels.in_pop_panel) as pop_this,
        sum(company_new.new_unique_roles) filter (where observed_in_panels.in_later_yoy_panel) as yoy_base_of_later,
        sum(company_new.new_unique_roles) filter (where observed_in_panels.in_later_pop_panel) as pop_base_of_later
    from company_new
    inner join observed_in_panels
        on observed_in_panels.period_grain = company_new.period_grain
        and observed_in_panels.period_start = company_new.period_start
        and observed_in_panels.company_id = company_new.company_id
    group by all

),

panel_counts as (

    -- the per-role sums roll up into role groups
    select
        period_grain,
        period_start,
        role_group as role,
        cast(sum(yoy_this) as bigint) as yoy_this,
        cast(sum(pop_this) as bigint) as pop_this,
        cast(sum(yoy_base_of_later) as bigint) as yoy_base_of_later,
        cast(sum(pop_base_of_later) as bigint) as pop_base_of_later
    from panel_role_counts,
        unnest(case when is_ai_role then [role, 'all_ai', 'all'] else [role, 'all'] end) as r (role_group)
    group by all

),

panel_roles as (

    -- roles with any company-level count at the grain
    select distinct period_grain, role
    from panel_counts

),

panel as (

    -- one row per (comparison, period, role) with a panel; seniority/country rows carry no panel
    select
        panel_size.comparison,
        panel_size.period_grain,
        panel_size.period_start,
        roles.role,
        panel_size.panel_companies,
        coalesce(
            case panel_size.comparison when 'yoy' then this.yoy_this else this.pop_this end, 0
        ) as panel_new_unique_roles,
        coalesce(
            case panel_size.comparison when 'yoy' then base.yoy_base_of_later else base.pop_base_of_later end, 0
        ) as panel_base_new_unique_roles
    from panel_size
    inner join calendar
        on calendar.period_grain = panel_size.period_grain and calendar.period_start = panel_size.period_start
    inner join panel_roles as roles on roles.period_grain = panel_size.period_grain
    left join panel_counts as this
        on this.period_grain = panel_size.period_grain
        and this.period_start = panel_size.period_start
        and this.role = roles.role
    left join panel_counts as base
        on base.period_grain = panel_size.period_grain
        and base.period_start
        = case panel_size.comparison when 'yoy' then calendar.yoy_base_start else calendar.pop_base_start end
        and base.role = roles.role

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
