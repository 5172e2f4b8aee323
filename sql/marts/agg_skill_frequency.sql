-- grain: grain_columns in agg_skill_frequency.yml (one definition: the marts expectations check it)
-- rows: where the skill was named at least once; role 'all_ai' is all AI roles together, 'all' every role.
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

---------- per month first (one pass over the postings and their skill lists), then per period on the
---------- monthly tables (months roll up exactly into quarters and years)

monthly_roles as (

    select
        role, is_ai_role, cast(date_trunc('month', new_date) as date) as month,
        count(*) filter (where is_canonical) as unique_roles,
        count(*) as postings
    from intermediate.int_posting_facts
    group by all

),

monthly_skills as (

    select
        named.role, named.is_ai_role, named.month, named.skill_id,
        -- category and AI flag belong to the skill: looked up once per row of the monthly table
        skills.skill_category,
        skills.is_ai_skill,
        named.unique_roles,
        named.postings
    -- kept per month by the layers (incrementally: it adds up), not recounted from every posting's skills
    from intermediate.int_skill_months as named
    left join intermediate.int_skills as skills on skills.skill_id = named.skill_id

),

role_totals as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, d.month) as date) as period_start,
        role_group as role,
        cast(sum(d.unique_roles) as bigint) as role_unique_roles,
        cast(sum(d.postings) as bigint) as role_postings
    from monthly_roles as d
    cross join grains,
        unnest(case when d.is_ai_role then [d.role, 'all_ai', 'all'] else [d.role, 'all'] end) as r (role_group)
    group by all

),

skill_counts as (

    select
        grains.period_grain,
        cast(date_trunc(grains.period_grain, d.month) as date) as period_start,
        role_group as role,
        d.skill_id,
        any_value(d.skill_category) as skill_category,
        bool_or(d.is_ai_skill) as is_ai_skill,
        cast(sum(d.unique_roles) as bigint) as mentions_unique_roles,
        cast(sum(d.postings) as bigint) as mentions_postings
    from monthly_skills as d
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
