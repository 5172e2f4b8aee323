-- grain: one row per posting_key (postings normalised for the current taxonomy version only).
-- description: Each posting with its role, seniority band, place, pay in USD, lifecycle (new date and
--   active interval), whether it names an AI skill, and its unique role (tiers: see int_posting_facts):
--   the facts of int_posting_facts plus the posting's descriptive columns (title, company, city, ...).
--   For ad hoc queries; the marts read int_posting_facts.
-- materialized: view

with

facts as (

    select * from intermediate.int_posting_facts

),

final as (

    select
        ---------- ids
        facts.posting_key,
        facts.source,
        postings.source_id,
        postings.board,
        postings.content_hash,
        facts.normalised_content_hash,
        facts.taxonomy_version,

        ---------- role
        postings.title,
        facts.title_clean,
        facts.role,
        facts.seniority,
        facts.seniority_band,
        facts.is_ai_role,

        ---------- company and place
        postings.company,
        facts.country,
        normalised.region,
        normalised.city,
        normalised.work_mode,
        facts.company_key,
        facts.title_key,
        facts.location_key,

        ---------- pay (annual, USD at the rate of the posting's month)
        facts.annual_min_usd,
        facts.annual_max_usd,
        facts.pay_midpoint_usd,
        facts.pay_basis,
        normalised.salary_currency,
        normalised.salary_period,
        normalised.fx_rate_month,

        ---------- lifecycle
        postings.posted_at,
        facts.first_seen_at,
        facts.last_seen_at,
        facts.closed_at,
        facts.is_closed,
        facts.new_date,
        facts.active_from_date,
        facts.active_to_date,

        ---------- unique role
        facts.unique_role_id,
        facts.is_canonical,
        facts.dedup_tier,
        facts.near_duplicate_of,
        facts.near_duplicate_similarity,

        ---------- skills
        facts.has_ai_skill

    from facts
    inner join staging.stg_postings as postings on postings.posting_key = facts.posting_key
    inner join normalised.postings as normalised
        on normalised.posting_key = facts.posting_key
        and normalised.content_hash = facts.normalised_content_hash
        and normalised.taxonomy_version = facts.taxonomy_version

)

select * from final
