-- grain: one row per (role, is_ai_role, month, skill_id) that at least one posting names.
-- description: How many postings of a role, and how many of them canonical (unique roles), name each
--   skill, per month of their new date: the skill list of the normalised row int_posting_stable_facts
--   uses. The skill marts roll these months up into quarters and years (counts add up exactly).
-- materialized: table (it reads int_posting_stable_facts itself, not the int_posting_skill_ids view: the
--   additive refresh replaces that table's name by the delta's, which a view's body would not see)
-- additive measures: postings, unique_roles (counts of facts rows: a build that refreshed the facts
--   incrementally adds the model over the rows it inserted and subtracts it over the rows it deleted,
--   jobtrends.warehouse.additive; normalised.postings rows never change once written)

with

facts as (

    select
        posting_key,
        normalised_content_hash,
        taxonomy_version,
        is_canonical,
        role,
        is_ai_role,
        -- once per posting, not once per skill
        cast(date_trunc('month', new_date) as date) as month
    from intermediate.int_posting_stable_facts

),

named as (

    select
        facts.role,
        facts.is_ai_role,
        facts.month,
        facts.is_canonical,
        unnest(normalised.skill_ids) as skill_id
    from facts
    inner join normalised.postings as normalised
        on normalised.posting_key = facts.posting_key
        and normalised.content_hash = facts.normalised_content_hash
        and normalised.taxonomy_version = facts.taxonomy_version

),

final as (

    select
        role,
        is_ai_role,
        month,
        skill_id,
        count(*) as postings,
        count(*) filter (where is_canonical) as unique_roles
    from named
    group by role, is_ai_role, month, skill_id

)

select * from final
