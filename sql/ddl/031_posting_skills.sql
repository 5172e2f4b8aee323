-- grain: one row per (posting_key, content_hash, skill_id).
-- A view over normalised.postings.skill_ids: a list column costs a fraction of one row per skill to
-- write (about 23 skills per posting). The newest normalisation of each content version counts.
create or replace view normalised.posting_skills as
with

latest as (

    select posting_key, content_hash, arg_max(skill_ids, normalised_at) as skill_ids
    from normalised.postings
    group by posting_key, content_hash

),

named as (

    select posting_key, content_hash, unnest(skill_ids) as skill_id
    from latest

)

select
    named.posting_key,
    named.content_hash,
    named.skill_id,
    dictionary.category,
    coalesce(dictionary.is_core, false) as is_core
from named
left join normalised.skill_dictionary as dictionary on dictionary.skill_id = named.skill_id
