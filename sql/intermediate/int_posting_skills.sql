-- grain: one row per (posting_key, skill_id).
-- description: Skills named by each posting (the normalised row used in int_posting_facts: its content
--   version and the current taxonomy), with the posting's unique role and whether the skill is an AI skill
--   (see int_skills). For ad hoc queries: the skill mart aggregates int_skill_months and looks the skills up
--   once per aggregated row.
-- materialized: view

with

named as (

    select posting_key, unique_role_id, is_canonical, skill_id
    from intermediate.int_posting_skill_ids

),

final as (

    select
        named.posting_key,
        named.unique_role_id,
        named.is_canonical,
        named.skill_id,
        skills.skill_category,
        coalesce(skills.is_core, false) as is_core,
        skills.is_ai_skill
    from named
    left join intermediate.int_skills as skills on skills.skill_id = named.skill_id

)

select * from final
