-- grain: one row per (period_grain, period_start, role, skill_id) where the skill was named at least once;
--   role 'all_ai' is all AI roles together, 'all' every role.
-- description: How many new unique roles (and postings) of a role name each skill per month/quarter/year,
--   the share of the role's unique roles that name it, its rank in the role, and the change in share in
--   percentage points against the same period a year earlier (suppressed when either base is too small).

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

---------- per day first (one pass over postings and their skills), then per period on the daily tables

daily_roles as (

    select
        role, is_ai_role, new_date as day,
        count(*) filter (where is_canonical) as unique_roles,
        count(*) as postings
    from intermediate.int_postings
    group by all

),

daily_skills as (

    select
        postings.role, postings.is_ai_role, postings.new_date as day, skills.skill_id,
        any_value(skills.skill_category) as skill_category,
        bool_or(skills.is_ai_skill) as is_ai_skill,
        count(*) filter (where postings.is_canonical) as unique_roles,
        count(*) as postings
    from intermediate.int_posting_skills as skills
    inner join intermediate.int_postings as postings on postings.posting_key = skills.posting_key
    group by all

),

role_totals as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, d.day) as date) as period_start,
        role_group as role,
        cast(sum(d.unique_roles) as bigint) as role_unique_roles,
        cast(sum(d.postings) as bigint) as role_postings
    from daily_roles as d
    cross join grains,
        unnest(case when d.is_ai_role then [d.role, 'all_ai', 'all'] else [d.role, 'all'] end) as r (role_group)
    group by all

),

skill_counts as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, d.day) as date) as period_start,
        role_group as role,
        d.skill_id,
        any_value(d.skill_category) as skill_category,
        bool_or(d.is_ai_skill) as is_ai_skill,
        cast(sum(d.unique_roles) as bigint) as mentions_unique_roles,
        cast(sum(d.postings) as bigint) as mentions_postings
    from daily_skills as d
    cross join grains,
        unnest(case when d.is_ai_role then [d.role, 'all_ai', 'all'] else [d.role, 'all'] end) as r (role_group)
    group by all

),

shares as (

    select
        skill_counts.*,
        calendar.period_end,
        calendar.is_complete,
        calendar.yoy_base_start,
        role_totals.role_unique_roles,
        role_totals.role_postings,
        case
            when role_totals.role_unique_roles > 0
                then skill_counts.mentions_unique_roles / role_totals.role_unique_roles
        end as share_of_unique_roles,
        case
            when role_totals.role_postings > 0 then skill_counts.mentions_postings / role_totals.role_postings
        end as share_of_postings,
        rank() over (
            partition by skill_counts.period_grain, skill_counts.period_start, skill_counts.role
            order by skill_counts.mentions_unique_roles desc
        ) as skill_rank
    from skill_counts
    inner join role_totals
        on role_totals.period_grain = skill_counts.period_grain
        and role_totals.period_start = skill_counts.period_start
        and role_totals.role = skill_counts.role
    inner join calendar
        on calendar.period_grain = skill_counts.period_grain
        and calendar.period_start = skill_counts.period_start

),

final as (

    select
        shares.period_grain,
        shares.period_start,
        shares.period_end,
        shares.is_complete,
        shares.role,
        shares.skill_id,
        shares.skill_category,
        shares.is_ai_skill,
        shares.mentions_unique_roles,
        shares.role_unique_roles,
        shares.share_of_unique_roles,
        shares.mentions_postings,
        shares.role_postings,
        shares.share_of_postings,
        shares.skill_rank,
        shares.yoy_base_start,
        coalesce(base_totals.role_unique_roles, 0) as yoy_base_role_unique_roles,
        coalesce(base.mentions_unique_roles, 0) as yoy_base_mentions_unique_roles,
        case
            when base_totals.role_unique_roles >= s.min_base and shares.role_unique_roles >= s.min_base
                then 100 * (
                    shares.share_of_unique_roles
                    - coalesce(base.mentions_unique_roles, 0) / base_totals.role_unique_roles
                )
        end as yoy_change_share_pp,
        not (
            coalesce(base_totals.role_unique_roles, 0) >= s.min_base and shares.role_unique_roles >= s.min_base
        ) as is_yoy_suppressed,
        s.min_base,
        s.taxonomy_version
    from shares
    left join role_totals as base_totals
        on base_totals.period_grain = shares.period_grain
        and base_totals.period_start = shares.yoy_base_start
        and base_totals.role = shares.role
    left join skill_counts as base
        on base.period_grain = shares.period_grain
        and base.period_start = shares.yoy_base_start
        and base.role = shares.role
        and base.skill_id = shares.skill_id
    cross join settings as s

)

select * from final
