-- grain: one row per unique_role_id (a deduplicated posting: the canonical posting's key).
-- description: Unique roles — the same job across sources and reposts counted once. Role, place and new
--   date come from the canonical (earliest) posting; the active interval spans all its postings; pay is
--   the first employer-stated pay among its postings, else the first estimate.

with

postings as (

    select * from intermediate.int_postings

),

members as (

    select
        unique_role_id,
        count(*) as posting_count,
        count(distinct source) as source_count,
        min(active_from_date) as active_from_date,
        max(active_to_date) as active_to_date,
        max(dedup_tier) as max_dedup_tier
    from postings
    group by unique_role_id

),

pay as (

    select
        unique_role_id,
        annual_min_usd,
        annual_max_usd,
        pay_midpoint_usd,
        pay_basis
    from postings
    where pay_basis is not null
    qualify row_number() over (
        partition by unique_role_id
        order by (pay_basis = 'estimated'), new_date, posting_key
    ) = 1

),

ai_skills as (

    select unique_role_id, bool_or(is_ai_skill) as has_ai_skill
    from intermediate.int_posting_skills
    where is_canonical
    group by unique_role_id

),

final as (

    select
        canonical.unique_role_id,
        canonical.taxonomy_version,
        canonical.title_clean,
        canonical.title_key,
        canonical.role,
        canonical.seniority,
        canonical.seniority_band,
        canonical.is_ai_role,
        canonical.company_key,
        canonical.country,
        canonical.new_date,
        members.active_from_date,
        members.active_to_date,
        members.posting_count,
        members.source_count,
        members.max_dedup_tier,
        pay.annual_min_usd,
        pay.annual_max_usd,
        pay.pay_midpoint_usd,
        pay.pay_basis,
        coalesce(ai_skills.has_ai_skill, false) as has_ai_skill
    from postings as canonical
    inner join members on members.unique_role_id = canonical.unique_role_id
    left join pay on pay.unique_role_id = canonical.unique_role_id
    left join ai_skills on ai_skills.unique_role_id = canonical.unique_role_id
    where canonical.is_canonical

)

select * from final
