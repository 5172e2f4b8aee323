-- One row per posting that int_posting_stable_facts holds: a hash of every per-posting input its row is
-- computed from (the latest raw version, the normalised row the model chooses and the columns it reads, the
-- first sighting, the near-duplicate row, the dedup keys of its company, title and location), and the
-- posting's last seen day as the unique-role sessions read it (seen_date). Two builds with the same hash
-- for a posting compute the same stable facts for it, unless a global input changed (settings, AI skills,
-- model SQL: jobtrends.warehouse.facts rebuilds everything then) or the sessions of its group moved
-- (sql/facts/moved_groups.sql). What moves with every sighting and listing (last seen, closed, listed
-- through) is not hashed: no stored row depends on it. Keep the choice in step with normalised_choice of
-- sql/intermediate/int_posting_stable_facts.sql, and seen_date with its last_seen_date
-- (tests/sql/test_facts_incremental.py builds both ways and compares).
--
-- The normalised row's columns (and its title and location keys) are hashed per row before the choice, so
-- arg_max brings out one number per posting: no join of the 1M chosen rows back to normalised.postings and
-- stg_postings by rowid (stg_postings holds one row per posting: its columns are the same on every row of
-- the group).
with

dedup_keys as (

    select kind, raw_value, max(key) as key
    from normalised.dedup_keys
    group by kind, raw_value

),

near_duplicates as (

    select posting_key, arg_max(canonical_key, computed_at) as canonical_key, max(similarity) as similarity
    from normalised.near_duplicates
    group by posting_key

),

choice as (

    select
        p.posting_key,
        any_value(hash(p.source, p.company, p.posted_at, company_keys.key)) as posting_hash,
        any_value(p.posted_at) as posted_at,
        arg_max(
            hash(
                n.content_hash, n.taxonomy_version, n.title_clean, n.role, n.seniority, n.is_ai_role,
                n.city, n.region, n.country, n.annual_min_usd, n.annual_max_usd, n.salary_is_estimate,
                n.skill_ids, n.is_synthetic_sample, title_keys.key, location_keys.key
            ),
            {'is_latest_content': n.content_hash = p.content_hash, 'normalised_at': n.normalised_at}
        ) as normalised_hash
    from normalised.postings as n
    inner join staging.stg_postings as p on p.posting_key = n.posting_key
    left join dedup_keys as company_keys
        on company_keys.kind = 'company' and company_keys.raw_value = p.company
    left join dedup_keys as title_keys
        on title_keys.kind = 'title' and title_keys.raw_value = n.title_clean
    left join dedup_keys as location_keys
        on location_keys.kind = 'location'
        and location_keys.raw_value
        = coalesce(n.city, '') || '|' || coalesce(n.region, '') || '|' || coalesce(n.country, '')
    where n.taxonomy_version = (select taxonomy_version from staging.stg_settings)
        and not exists (
            select 1
            from staging.stg_exclusions as x
            where x.layer = 'normalised'
                and x.posting_key = n.posting_key
                and x.content_hash = n.content_hash
                and x.taxonomy_version = n.taxonomy_version
        )
    group by p.posting_key

)

select
    c.posting_key,
    nd.canonical_key as near_duplicate_of,
    hash(c.posting_hash, c.normalised_hash, l.first_seen_at, nd.canonical_key, nd.similarity) as signature,
    greatest(
        cast(timezone('UTC', coalesce(c.posted_at, l.first_seen_at)) as date),
        cast(timezone('UTC', l.last_seen_at) as date)
    ) as seen_date
from choice as c
inner join intermediate.int_posting_lifecycle as l on l.posting_key = c.posting_key
left join near_duplicates as nd on nd.posting_key = c.posting_key
