-- grain: one row per skill_id (the skill dictionary, plus the ML domains counted as AI skills).
-- description: Each skill's category and whether it is an AI skill (ML frameworks, GenAI, MLOps tools but
--   not CI/CD, cloud ML platforms, ML domains); the one place that defines an AI skill. A skill named by
--   a posting but in neither list has no row here (no category, not an AI skill).
-- materialized: view (a few dozen rows)

with

dictionary as (

    select skill_id, category, is_core from normalised.skill_dictionary

),

ml_domains as (

    select *
    from (
        values ('machine_learning'), ('deep_learning'), ('nlp'), ('computer_vision'), ('reinforcement_learning')
    ) as d (skill_id)

),

skills as (

    select
        coalesce(dictionary.skill_id, ml_domains.skill_id) as skill_id,
        dictionary.category as skill_category,
        dictionary.is_core
    from dictionary
    full outer join ml_domains on ml_domains.skill_id = dictionary.skill_id

)

select
    skill_id,
    skill_category,
    is_core,
    (
        skill_category in ('ml_framework', 'genai', 'cloud_ml')
        or (skill_category = 'mlops' and skill_id <> 'ci_cd')
        or skill_id in ('machine_learning', 'deep_learning', 'nlp', 'computer_vision', 'reinforcement_learning')
    ) as is_ai_skill
from skills
