-- grain: one row per (posting_key, skill_id).
-- description: The skill ids each posting names (the skill list of the normalised row int_posting_facts
--   uses: its content version and the current taxonomy), with the posting facts skills are grouped by.
--   int_posting_skills adds each skill's category and AI flag; the skill mart reads the monthly counts
--   of int_skill_months instead.
-- materialized: view (about 23 skills per posting: a table would be the largest of the warehouse); it
--   reads the stored int_posting_stable_facts, not the int_posting_facts view: no lifecycle column is needed

with

facts as (

    select
        posting_key, normalised_content_hash, taxonomy_version, unique_role_id, is_canonical,
        role, is_ai_role, new_date
    from intermediate.int_posting_stable_facts

),

final as (

    select
        facts.posting_key,
        facts.unique_role_id,
        facts.is_canonical,
        facts.role,
        facts.is_ai_role,
        facts.new_date,
        unnest(normalised.skill_ids) as skill_id
    from facts
    inner join normalised.postings as normalised
        on normalised.posting_key = facts.posting_key
        and normalised.content_hash = facts.normalised_content_hash
        and normalised.taxonomy_version = facts.taxonomy_version

)

select * from final
