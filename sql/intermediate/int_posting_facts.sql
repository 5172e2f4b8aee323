-- grain: one row per posting_key (postings normalised for the current taxonomy version only).
-- description: The per-posting facts every mart aggregates: int_posting_stable_facts (role, seniority
--   band, country, dedup keys, pay in USD, new date, unique role, AI skill: see there) with the columns
--   that move with sightings and board listings, from int_posting_lifecycle: last seen, closed, and the
--   end of the active interval (the posting's new date, or the last listing that still showed it).
-- materialized: view (a nightly listing moves these columns for most postings: stored, each build would
--   rewrite most rows of the table)
-- build: temp table (the marts and int_calendar read it)

select
    ---------- ids
    facts.posting_key,
    facts.source,
    facts.normalised_content_hash,
    facts.taxonomy_version,

    ---------- role
    facts.title_clean,
    facts.role,
    facts.seniority,
    facts.seniority_band,
    facts.is_ai_role,

    ---------- company and place
    facts.country,
    facts.company_key,
    facts.title_key,
    facts.location_key,

    ---------- pay (annual, USD at the rate of the posting's month)
    facts.annual_min_usd,
    facts.annual_max_usd,
    facts.pay_midpoint_usd,
    facts.pay_basis,

    ---------- lifecycle
    facts.first_seen_at,
    lifecycle.last_seen_at,
    lifecycle.closed_at,
    lifecycle.is_closed,
    facts.new_date,
    facts.active_from_date,
    greatest(facts.new_date, cast(timezone('UTC', lifecycle.listed_through_at) as date)) as active_to_date,

    ---------- provenance, unique role, skills
    facts.is_synthetic_sample,
    facts.unique_role_id,
    facts.is_canonical,
    facts.dedup_tier,
    facts.near_duplicate_of,
    facts.near_duplicate_similarity,
    facts.has_ai_skill

from intermediate.int_posting_stable_facts as facts
inner join intermediate.int_posting_lifecycle as lifecycle on lifecycle.posting_key = facts.posting_key
