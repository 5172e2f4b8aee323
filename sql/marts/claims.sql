-- grain: grain_columns in claims.yml (one definition: the marts expectations check it)
-- rows: one headline number.
-- description: Every headline number the report and dashboards quote, with what it counts: metric,
--   value, numerator, denominator, period, panel, dedup level, taxonomy version, n, and the SQL that
--   regenerates the value from the published marts. Periods: the latest complete quarter (growth, skills)
--   and month (growth), and the latest complete year (salary, wage premium); the latest period when none
--   is complete yet.

with

settings as (

    select * from staging.stg_settings

),

-- the schema name is spliced in at run time so that the text reads "marts." in every build
target as (

    select 'marts' as schema_name

),

latest as (

    -- per grain: the latest complete period with any new unique role (else the latest with any)
    select
        period_grain,
        coalesce(max(period_start) filter (where is_complete), max(period_start)) as period_start
    from marts.agg_title_growth
    where role = 'all' and seniority = 'all' and country = 'all' and new_unique_roles > 0
    group by period_grain

),

ai_roles as (

    select role from marts.dim_roles where is_ai_role

),

---------- growth: latest complete month and quarter, every AI role and all AI roles together

growth as (

    select g.*
    from marts.agg_title_growth as g
    inner join latest on latest.period_grain = g.period_grain and latest.period_start = g.period_start
    where g.period_grain in ('month', 'quarter')
        and g.seniority = 'all'
        and g.country = 'all'
        and g.role in (select role from ai_roles)

),

growth_where as (

    select
        growth.*,
        ' where period_grain = ''' || period_grain || ''' and period_start = date '''
        || strftime(period_start, '%Y-%m-%d') || ''' and role = ''' || role
        || ''' and seniority = ''all'' and country = ''all''' as where_sql
    from growth

),

growth_claims as (

    select
        'growth_yoy:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role as claim_id,
        'new_unique_roles_yoy_change' as metric,
        yoy_change as value,
        new_unique_roles as numerator,
        yoy_base_new_unique_roles as denominator,
        period_grain, period_start, role,
        'all companies and sources' as panel,
        'unique_role' as dedup_level,
        new_unique_roles + yoy_base_new_unique_roles as n,
        'ratio' as unit,
        'select yoy_change from ' || (select schema_name from target) || '.agg_title_growth' || where_sql as sql
    from growth_where
    union all
    select
        'growth_yoy_panel:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role,
        'new_unique_roles_yoy_panel_change',
        yoy_panel_change,
        yoy_panel_new_unique_roles,
        yoy_panel_base_new_unique_roles,
        period_grain, period_start, role,
        'fixed panel: ' || yoy_panel_companies || ' companies observed in both periods',
        'unique_role',
        yoy_panel_new_unique_roles + yoy_panel_base_new_unique_roles,
        'ratio',
        'select yoy_panel_change from ' || (select schema_name from target) || '.agg_title_growth' || where_sql
    from growth_where
    union all
    select
        'new_unique_roles:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role,
        'new_unique_roles',
        new_unique_roles,
        new_unique_roles,
        null,
        period_grain, period_start, role,
        'all companies and sources',
        'unique_role',
        new_unique_roles,
        'count',
        'select new_unique_roles from ' || (select schema_name from target) || '.agg_title_growth' || where_sql
    from growth_where
    union all
    select
        'share_of_new_unique_roles:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role,
        'share_of_new_unique_roles',
        share_of_new_unique_roles,
        new_unique_roles,
        case when share_of_new_unique_roles > 0 then new_unique_roles / share_of_new_unique_roles end,
        period_grain, period_start, role,
        'all companies and sources',
        'unique_role',
        new_unique_roles,
        'ratio',
        'select share_of_new_unique_roles from ' || (select schema_name from target) || '.agg_title_growth'
        || where_sql
    from growth_where

),

---------- distinct AI titles: latest complete quarter

title_claims as (

    select
        'distinct_titles_yoy:' || t.period_grain || ':' || strftime(t.period_start, '%Y-%m-%d') || ':all_ai'
            as claim_id,
        'distinct_ai_titles_yoy_change' as metric,
        t.yoy_change as value,
        t.distinct_titles as numerator,
        t.yoy_base_distinct_titles as denominator,
        t.period_grain, t.period_start, t.role,
        'all companies and sources' as panel,
        'posting' as dedup_level,
        t.distinct_titles + t.yoy_base_distinct_titles as n,
        'ratio' as unit,
        'select yoy_change from ' || (select schema_name from target) || '.agg_distinct_titles'
        || ' where period_grain = ''' || t.period_grain || ''' and period_start = date '''
        || strftime(t.period_start, '%Y-%m-%d') || ''' and role = ''all_ai''' as sql
    from marts.agg_distinct_titles as t
    inner join latest on latest.period_grain = t.period_grain and latest.period_start = t.period_start
    where t.period_grain = 'quarter' and t.role = 'all_ai'

),

---------- skills: the top ten skills of each AI role in the latest complete quarter

skills as (

    select
        f.*,
        ' where period_grain = ''' || f.period_grain || ''' and period_start = date '''
        || strftime(f.period_start, '%Y-%m-%d') || ''' and role = ''' || f.role
        || ''' and skill_id = ''' || f.skill_id || '''' as where_sql
    from marts.agg_skill_frequency as f
    inner join latest on latest.period_grain = f.period_grain and latest.period_start = f.period_start
    where f.period_grain = 'quarter'
        and f.role in (select role from ai_roles)
        and f.skill_rank <= 10

),

skill_claims as (

    select
        'skill_share:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role || ':'
        || skill_id as claim_id,
        'skill_share_of_unique_roles' as metric,
        share_of_unique_roles as value,
        mentions_unique_roles as numerator,
        role_unique_roles as denominator,
        period_grain, period_start, role,
        'all companies and sources' as panel,
        'unique_role' as dedup_level,
        role_unique_roles as n,
        'ratio' as unit,
        'select share_of_unique_roles from ' || (select schema_name from target) || '.agg_skill_frequency'
        || where_sql as sql
    from skills
    union all
    select
        'skill_share_change_pp:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role
        || ':' || skill_id,
        'skill_share_yoy_change_pp',
        yoy_change_share_pp,
        null,
        null,
        period_grain, period_start, role,
        'all companies and sources',
        'unique_role',
        role_unique_roles + yoy_base_role_unique_roles,
        'percentage_points',
        'select yoy_change_share_pp from ' || (select schema_name from target) || '.agg_skill_frequency'
        || where_sql
    from skills

),

---------- salary: typical range per AI role and band, latest complete year, employer-stated pay

salary as (

    select
        s.*,
        ' where period_grain = ''' || s.period_grain || ''' and period_start = date '''
        || strftime(s.period_start, '%Y-%m-%d') || ''' and role = ''' || s.role
        || ''' and band = ''' || s.band || ''' and pay_basis = ''employer_stated''' as where_sql
    from marts.agg_salary_trends as s
    inner join latest on latest.period_grain = s.period_grain and latest.period_start = s.period_start
    where s.period_grain = 'year'
        and s.pay_basis = 'employer_stated'
        and s.band in ('Entry-Level', 'Mid-Level', 'Senior+')
        and s.role in (select role from ai_roles)

),

salary_claims as (

    select
        'salary_min:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role || ':' || band
            as claim_id,
        'median_annual_min_usd' as metric,
        median_annual_min_usd as value,
        null as numerator,
        null as denominator,
        period_grain, period_start, role,
        'all companies and sources; employer-stated pay' as panel,
        'unique_role' as dedup_level,
        n_with_pay as n,
        'usd' as unit,
        'select median_annual_min_usd from ' || (select schema_name from target) || '.agg_salary_trends'
        || where_sql as sql
    from salary
    union all
    select
        'salary_max:' || period_grain || ':' || strftime(period_start, '%Y-%m-%d') || ':' || role || ':' || band,
        'median_annual_max_usd',
        median_annual_max_usd,
        null,
        null,
        period_grain, period_start, role,
        'all companies and sources; employer-stated pay',
        'unique_role',
        n_with_pay,
        'usd',
        'select median_annual_max_usd from ' || (select schema_name from target) || '.agg_salary_trends'
        || where_sql
    from salary

),

---------- wage premium: latest complete year, employer-stated pay

premium_claims as (

    select
        'wage_premium:' || p.comparison || ':' || p.period_grain || ':' || strftime(p.period_start, '%Y-%m-%d')
        || ':' || p.role as claim_id,
        'wage_premium_' || p.comparison as metric,
        p.wage_premium as value,
        p.median_treated_usd as numerator,
        p.median_control_usd as denominator,
        p.period_grain, p.period_start, p.role,
        'all companies and sources; employer-stated pay; n treated = ' || p.n_treated
        || ', n control = ' || p.n_control as panel,
        'unique_role' as dedup_level,
        p.n_treated + p.n_control as n,
        'ratio' as unit,
        'select wage_premium from ' || (select schema_name from target) || '.agg_wage_premium'
        || ' where comparison = ''' || p.comparison || ''' and period_grain = ''' || p.period_grain
        || ''' and period_start = date ''' || strftime(p.period_start, '%Y-%m-%d') || ''' and role = '''
        || p.role || ''' and country = ''all'' and band = ''All'' and pay_basis = ''employer_stated'''
            as sql
    from marts.agg_wage_premium as p
    inner join latest on latest.period_grain = p.period_grain and latest.period_start = p.period_start
    where p.period_grain = 'year'
        and p.country = 'all'
        and p.band = 'All'
        and p.pay_basis = 'employer_stated'
        and (p.comparison = 'ai_vs_comparable' or p.role in (select role from ai_roles))

),

unioned as (

    select * from growth_claims
    union all
    select * from title_claims
    union all
    select * from skill_claims
    union all
    select * from salary_claims
    union all
    select * from premium_claims

),

final as (

    select
        claim_id,
        metric,
        cast(value as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        unit,
        period_grain,
        period_start,
        case period_grain
            when 'year' then strftime(period_start, '%Y')
            when 'quarter' then strftime(period_start, '%Y') || '-Q' || quarter(period_start)
            when 'month' then strftime(period_start, '%Y-%m')
            else strftime(period_start, '%Y-%m-%d')
        end as period,
        role,
        panel,
        dedup_level,
        (select taxonomy_version from settings) as taxonomy_version,
        cast(n as bigint) as n,
        sql
    from unioned

)

select * from final
