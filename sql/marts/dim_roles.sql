-- grain: grain_columns in dim_roles.yml (one definition: the marts expectations check it)
-- description: The roles of the taxonomy (AI roles and the comparable non-AI roles they are compared
--   with), plus any other role found in the data; role groups 'all_ai' and 'all' used by the marts.

with

taxonomy as (

    select *
    from (
        values
            ('ai_ml_engineer', 'AI/ML Engineer', true, false),
            ('mlops_engineer', 'MLOps Engineer', true, false),
            ('prompt_engineer', 'Prompt Engineer', true, false),
            ('ai_governance', 'AI Governance & Ethics Specialist', true, false),
            ('forward_deployed_engineer', 'Forward-Deployed Engineer', true, false),
            ('data_scientist', 'Data Scientist', true, false),
            ('research_scientist', 'AI Research Scientist / Engineer', true, false),
            ('data_annotator', 'Data Annotator / AI Trainer', true, false),
            ('ai_product_manager', 'AI Product Manager', true, false),
            ('software_engineer', 'Software Engineer', false, true),
            ('data_engineer', 'Data Engineer', false, true),
            ('data_analyst', 'Data Analyst', false, true),
            ('devops_engineer', 'DevOps Engineer', false, true),
            ('product_manager', 'Product Manager', false, true),
            ('other', 'Other', false, false),
            ('all_ai', 'All AI roles', true, false),
            ('all', 'All roles', false, false)
    ) as t (role, role_name, is_ai_role, is_comparable_role)

),

observed as (

    select role, bool_or(is_ai_role) as is_ai_role
    from intermediate.int_posting_facts
    group by role

)

select
    coalesce(taxonomy.role, observed.role) as role,
    coalesce(taxonomy.role_name, observed.role) as role_name,
    coalesce(taxonomy.is_ai_role, observed.is_ai_role) as is_ai_role,
    coalesce(taxonomy.is_comparable_role, false) as is_comparable_role,
    coalesce(taxonomy.role in ('all_ai', 'all'), false) as is_role_group
from taxonomy
full outer join observed on observed.role = taxonomy.role
