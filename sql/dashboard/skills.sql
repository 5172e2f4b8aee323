-- Quarterly share of each AI role's new unique roles that name a skill, for the skills that rank in
-- the role's top 10 in some quarter (the two-skill comparison picks from these).
with

top as (

    select distinct role, skill_id
    from marts.agg_skill_frequency
    where period_grain = 'quarter' and skill_rank <= 10

)

select
    strftime(s.period_start, '%Y-%m-%d') as period_start,
    s.is_complete,
    s.role,
    coalesce(r.role_name, s.role) as role_name,
    s.skill_id,
    s.mentions_unique_roles,
    s.role_unique_roles,
    s.share_of_unique_roles,
    s.skill_rank,
    s.yoy_change_share_pp,
    s.is_yoy_suppressed
from marts.agg_skill_frequency as s
inner join top on top.role = s.role and top.skill_id = s.skill_id
inner join marts.dim_roles as r on r.role = s.role
where s.period_grain = 'quarter' and (r.is_ai_role or s.role = 'all_ai')
order by s.role, s.skill_id, s.period_start
