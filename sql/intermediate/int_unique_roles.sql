-- grain: one row per unique_role_id (a deduplicated posting: the canonical posting's key).
-- description: Unique roles — the same job across sources and reposts counted once. Role, place and new
--   date come from the canonical (earliest) posting; the active interval spans all its postings; pay is
--   the first employer-stated pay among its postings, else the first estimate; has_ai_skill: the canonical
--   posting names an AI skill.
-- materialized: view (most unique roles are one posting: cheaper to derive from int_posting_facts when read)
-- build: temp table (three marts read it)

with

canonical as (

    select * from intermediate.int_posting_facts where is_canonical

),

---------- unique roles with more than one posting (a unique role of one posting is its canonical posting)

merged as (

    select distinct unique_role_id from intermediate.int_posting_facts where not is_canonical

),

members as (

    select
        unique_role_id,
        count(*) as posting_count,
        count(distinct source) as source_count,
        min(active_from_date) as active_from_date,
        max(active_to_date) as active_to_date,
        max(dedup_tier) as max_dedup_tier,
        -- first employer-stated pay (earliest new date, then key), else the first estimate
        arg_min(
            {
                'annual_min_usd': annual_min_usd,
                'annual_max_usd': annual_max_usd,
                'pay_midpoint_usd': pay_midpoint_usd,
                'pay_basis': pay_basis
            },
            {'is_estimate': pay_basis = 'estimated', 'new_date': new_date, 'posting_key': posting_key}
        ) filter (where pay_basis is not null) as pay
    from intermediate.int_posting_facts
    where unique_role_id in (select unique_role_id from merged)
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
        case when members.unique_role_id is null then canonical.active_from_date else members.active_from_date end
            as active_from_date,
        case when members.unique_role_id is null then canonical.active_to_date else members.active_to_date end
            as active_to_date,
        case when members.unique_role_id is null then 1 else members.posting_count end as posting_count,
        case when members.unique_role_id is null then 1 else members.source_count end as source_count,
        case when members.unique_role_id is null then canonical.dedup_tier else members.max_dedup_tier end
            as max_dedup_tier,
        -- a posting without pay has null pay figures and basis
        case when members.unique_role_id is null then canonical.annual_min_usd else members.pay.annual_min_usd end
            as annual_min_usd,
        case when members.unique_role_id is null then canonical.annual_max_usd else members.pay.annual_max_usd end
            as annual_max_usd,
        case when members.unique_role_id is null then canonical.pay_midpoint_usd else members.pay.pay_midpoint_usd end
            as pay_midpoint_usd,
        case when members.unique_role_id is null then canonical.pay_basis else members.pay.pay_basis end
            as pay_basis,
        -- the canonical posting names an AI skill
        canonical.has_ai_skill
    from canonical
    left join members on members.unique_role_id = canonical.unique_role_id

)

select * from final
