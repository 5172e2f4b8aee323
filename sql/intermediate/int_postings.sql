-- grain: one row per posting_key (postings normalised for the current taxonomy version only).
-- description: Each posting with its role, seniority band, place, pay in USD, lifecycle (new date and
--   active interval) and its unique role: tier 1 exact (source + id), tier 2 same normalised company +
--   title + location within the repost window of the last sighting (a same-source posting that overlaps an
--   earlier one is another opening), tier 3 near-duplicate description (normalised.near_duplicates).

with

settings as (

    select * from staging.stg_settings

),

postings as (

    select * from staging.stg_postings

),

lifecycle as (

    select * from intermediate.int_posting_lifecycle

),

normalised_choice as (

    -- which normalised row to use: the latest content version's, else the newest normalised version
    select
        n.posting_key,
        arg_max(
            n.content_hash,
            {'is_latest_content': n.content_hash = p.content_hash, 'normalised_at': n.normalised_at}
        ) as content_hash
    from normalised.postings as n
    inner join postings as p on p.posting_key = n.posting_key
    where n.taxonomy_version = (select taxonomy_version from settings)
    group by n.posting_key

),

normalised_current as (

    select n.*
    from normalised.postings as n
    inner join normalised_choice as c
        on c.posting_key = n.posting_key
        and c.content_hash = n.content_hash
    where n.taxonomy_version = (select taxonomy_version from settings)

),

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

joined as (

    select
        ---------- ids
        p.posting_key,
        p.source,
        p.source_id,
        p.board,
        p.content_hash,
        n.content_hash as normalised_content_hash,
        n.taxonomy_version,

        ---------- role
        p.title,
        n.title_clean,
        n.role,
        n.seniority,
        case
            when n.seniority in ('intern', 'entry') then 'Entry-Level'
            when n.seniority = 'mid' then 'Mid-Level'
            when n.seniority in ('senior', 'staff_principal') then 'Senior+'
            when n.seniority = 'manager' then 'Manager'
            else 'Unspecified'
        end as seniority_band,
        n.is_ai_role,

        ---------- company and place
        p.company,
        coalesce(n.country, 'unknown') as country,
        n.region,
        n.city,
        n.work_mode,
        coalesce(company_keys.key, lower(trim(p.company)), '') as company_key,
        coalesce(title_keys.key, lower(trim(n.title_clean)), '') as title_key,
        coalesce(
            location_keys.key,
            lower(coalesce(n.city, '') || '|' || coalesce(n.country, '')),
            ''
        ) as location_key,

        ---------- pay (annual, USD at the rate of the posting's month)
        n.annual_min_usd,
        n.annual_max_usd,
        case
            when n.annual_min_usd is not null and n.annual_max_usd is not null
                then (n.annual_min_usd + n.annual_max_usd) / 2
            else coalesce(n.annual_min_usd, n.annual_max_usd)
        end as pay_midpoint_usd,
        case
            when coalesce(n.annual_min_usd, n.annual_max_usd) is null then null
            when n.salary_is_estimate then 'estimated'
            else 'employer_stated'
        end as pay_basis,
        n.salary_currency,
        n.salary_period,
        n.fx_rate_month,

        ---------- lifecycle
        p.posted_at,
        l.first_seen_at,
        l.last_seen_at,
        l.closed_at,
        l.is_closed,
        cast(timezone('UTC', coalesce(p.posted_at, l.first_seen_at)) as date) as new_date,
        least(
            cast(timezone('UTC', coalesce(p.posted_at, l.first_seen_at)) as date),
            cast(timezone('UTC', l.first_seen_at) as date)
        ) as active_from_date,
        greatest(
            cast(timezone('UTC', coalesce(p.posted_at, l.first_seen_at)) as date),
            cast(timezone('UTC', l.listed_through_at) as date)
        ) as active_to_date,

        ---------- near-duplicate (tier 3)
        nd.canonical_key as near_duplicate_of,
        nd.similarity as near_duplicate_similarity

    from postings as p
    inner join normalised_current as n on n.posting_key = p.posting_key
    inner join lifecycle as l on l.posting_key = p.posting_key
    left join dedup_keys as company_keys
        on company_keys.kind = 'company' and company_keys.raw_value = p.company
    left join dedup_keys as title_keys
        on title_keys.kind = 'title' and title_keys.raw_value = n.title_clean
    left join dedup_keys as location_keys
        on location_keys.kind = 'location'
        and location_keys.raw_value
        = coalesce(n.city, '') || '|' || coalesce(n.region, '') || '|' || coalesce(n.country, '')
    left join near_duplicates as nd on nd.posting_key = p.posting_key

),

---------- unique roles, on a narrow projection (only keys and dates go through the window sorts)

dedup_input as (

    select
        joined.posting_key,
        joined.source,
        joined.new_date,
        -- the repost window runs from the last day the group was seen (not from the open-ended listing)
        greatest(joined.new_date, cast(timezone('UTC', joined.last_seen_at) as date)) as last_seen_date,
        -- tier 3 counts for a cross-source copy, or a repost at the same place (the same text at another
        -- office of the same source is another opening)
        canon.posting_key is not null
            and (canon.source <> joined.source or canon.location_key = joined.location_key) as is_near_duplicate,
        -- tier 2 groups by the keys of the near-duplicate canonical, so tier 3 duplicates join its group;
        -- a posting without a company or title key can only be its own group (hashed: cheaper window sorts)
        hash(
            case
                when is_near_duplicate then
                    case
                        when canon.company_key = '' or canon.title_key = '' then canon.posting_key
                        else canon.company_key || '#' || canon.title_key || '#' || canon.location_key
                    end
                when joined.company_key = '' or joined.title_key = '' then joined.posting_key
                else joined.company_key || '#' || joined.title_key || '#' || joined.location_key
            end
        ) as dedup_group
    from joined
    left join joined as canon on canon.posting_key = joined.near_duplicate_of

),

gaps as (

    select
        *,
        max(last_seen_date) over (
            partition by dedup_group
            order by new_date, posting_key
            rows between unbounded preceding and 1 preceding
        ) as previous_last_seen_date,
        -- a source does not list one job twice at once: a same-source posting that appears while an
        -- earlier one of the group is still listed is another opening, not a repost
        max(last_seen_date) over (
            partition by dedup_group, source
            order by new_date, posting_key
            rows between unbounded preceding and 1 preceding
        ) as previous_same_source_last_seen_date
    from dedup_input

),

unique_roles as (

    -- a session starts where the gap since the group's last seen day exceeds the repost window (or a
    -- same-source posting overlaps an earlier one);
    -- its first posting is the unique role of every posting in the session
    select
        posting_key,
        is_near_duplicate,
        last_value(
            case
                when previous_last_seen_date is null
                    or new_date - previous_last_seen_date > (select repost_window_days from settings)
                    or previous_same_source_last_seen_date >= new_date
                    then posting_key
            end ignore nulls
        ) over (
            partition by dedup_group
            order by new_date, posting_key
            rows between unbounded preceding and current row
        ) as unique_role_id
    from gaps

),

final as (

    select
        joined.* exclude (near_duplicate_of, near_duplicate_similarity),
        unique_roles.unique_role_id,
        joined.posting_key = unique_roles.unique_role_id as is_canonical,
        case
            when joined.posting_key = unique_roles.unique_role_id then 1
            when unique_roles.is_near_duplicate then 3
            else 2
        end as dedup_tier,
        case when unique_roles.is_near_duplicate then joined.near_duplicate_of end as near_duplicate_of,
        case when unique_roles.is_near_duplicate then joined.near_duplicate_similarity end
            as near_duplicate_similarity
    from joined
    inner join unique_roles on unique_roles.posting_key = joined.posting_key

)

select * from final
