-- grain: grain_columns in agg_distinct_titles.yml (one definition: the marts expectations check it)
-- rows: for AI roles; role 'all_ai' is all AI roles together.
-- description: Distinct normalised titles (title_clean after levels, places and noise are stripped) among
--   new AI-role postings per month/quarter/year, and the year-over-year change (suppressed when the base
--   period has fewer distinct titles than the minimum base).

with

settings as (

    select * from staging.stg_settings

),

calendar as (

    select * from intermediate.int_calendar
    where period_grain in ('month', 'quarter', 'year')

),

ai_postings as (

    -- distinct (role, day, title) first: titles repeat a lot
    select distinct role, title_key, new_date
    from intermediate.int_posting_facts
    where is_ai_role and title_key <> ''

),

by_period as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, ai_postings.new_date) as date) as period_start,
        role_group as role,
        count(distinct ai_postings.title_key) as distinct_titles
    from ai_postings
    cross join (select distinct period_grain from calendar) as grains,
        unnest([ai_postings.role, 'all_ai']) as r (role_group)
    group by all

),

roles as (

    select distinct period_grain, role from by_period

),

dense as (

    select
        calendar.period_grain,
        calendar.period_start,
        calendar.period_end,
        calendar.is_complete,
        calendar.yoy_base_start,
        roles.role,
        coalesce(by_period.distinct_titles, 0) as distinct_titles
    from roles
    inner join calendar on calendar.period_grain = roles.period_grain
    left join by_period
        on by_period.period_grain = roles.period_grain
        and by_period.period_start = calendar.period_start
        and by_period.role = roles.role

),

final as (

    select
        dense.period_grain,
        dense.period_start,
        dense.period_end,
        dense.is_complete,
        dense.role,
        dense.distinct_titles,
        dense.yoy_base_start,
        coalesce(base.distinct_titles, 0) as yoy_base_distinct_titles,
        case
            when base.distinct_titles >= s.min_base
                then (dense.distinct_titles - base.distinct_titles) / base.distinct_titles
        end as yoy_change,
        coalesce(base.distinct_titles, 0) < s.min_base as is_yoy_suppressed,
        s.min_base,
        s.taxonomy_version
    from dense
    left join dense as base
        on base.period_grain = dense.period_grain
        and base.period_start = dense.yoy_base_start
        and base.role = dense.role
    cross join settings as s

)

select * from final
