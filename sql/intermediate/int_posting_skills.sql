-- grain: one row per (posting_key, skill_id).
-- description: Skills named by each posting (the normalised content version used in int_postings), with
--   the posting's unique role and whether the skill is an AI skill (ML frameworks, GenAI, MLOps tools,
--   cloud ML platforms, ML domains).

with

postings as (

    select posting_key, normalised_content_hash, unique_role_id, is_canonical
    from intermediate.int_postings

),

skills as (

    select * from normalised.posting_skills

),

final as (

    -- normalised.posting_skills holds one row per (posting_key, content_hash, skill_id)
    select
        postings.posting_key,
        postings.unique_role_id,
        postings.is_canonical,
        skills.skill_id,
        skills.category as skill_category,
        skills.is_core
    from postings
    inner join skills
        on skills.posting_key = postings.posting_key
        and skills.content_hash = postings.normalised_content_hash

)

select
    *,
    (
        skill_category in ('ml_framework', 'genai', 'cloud_ml')
        or (skill_category = 'mlops' and skill_id <> 'ci_cd')
        or skill_id in ('machine_learning', 'deep_learning', 'nlp', 'computer_vision', 'reinforcement_learning')
    ) as is_ai_skill
from final
