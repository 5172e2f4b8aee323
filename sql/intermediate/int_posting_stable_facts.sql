-- grain: one row per posting_key (postings normalised for the current taxonomy version only).
-- description: The per-posting facts every mart aggregates, computed once, without the columns that move
--   with every sighting and board listing (last_seen_at, closed_at, is_closed, active_to_date:
--   intermediate.int_posting_facts adds them from int_posting_lifecycle when read): role, seniority band,
--   country, dedup keys, pay in USD, new date and start of the active interval, whether the posting names
--   an AI skill, and its unique role: tier 1 exact (source + id), tier 2 same normalised company + title +
--   location within the repost window of the last sighting (a same-source posting that overlaps an
--   earlier one is another opening), tier 3 near-duplicate description (normalised.near_duplicates).
--   Skills: those of the normalised row used (normalised_content_hash, taxonomy_version); a normalised
--   row in quarantine (staging.stg_exclusions) is never used. Narrow on
--   purpose (writing wide text costs more than computing it): intermediate.int_postings adds the
--   descriptive columns (title, company, city, ...).
-- build: refreshed incrementally by jobtrends.warehouse.facts (this select run on the changed postings and
--   the unique-role groups they touch): a per-posting input read here must be in sql/facts/signatures.sql
--   (the last seen day, which only the unique-role sessions read, as its seen_date), and dedup_group
--   below must stay what sql/facts/groups.sql reads back from the output. A nightly listing moves the
--   last sighting of most postings: keeping those columns out of this table is what lets the refresh
--   leave their rows alone.
with

settings as (

    select * from staging.stg_settings

),

normalised_choice as (

    -- which normalised row to use: the latest content version's, else the newest normalised version
    -- (row ids of stg_postings and normalised.postings: the chosen rows are then fetched by integer joins;
    -- stg_postings is a view with a temp copy in the build, and the copy has row ids)
    select
        p.rowid as posting_rowid,
        arg_max(
            n.rowid,
            {'is_latest_content': n.content_hash = p.content_hash, 'normalised_at': n.normalised_at}
        ) as normalised_rowid
    from normalised.postings as n
    inner join staging.stg_postings as p on p.posting_key = n.posting_key
    where n.taxonomy_version = (select taxonomy_version from settings)
        -- a normalised row in quarantine is never used (nor, without another row, its posting)
        and not exists (
            select 1
            from staging.stg_exclusions as x
            where x.layer = 'normalised'
                and x.posting_key = n.posting_key
                and x.content_hash = n.content_hash
                and x.taxonomy_version = n.taxonomy_version
        )
    group by p.rowid

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

ai_skills as (

    select list(skill_id) as skill_ids from intermediate.int_skills where is_ai_skill

),

joined as (

    select
        ---------- ids
        p.posting_key,
        p.source,
        n.content_hash as normalised_content_hash,
        n.taxonomy_version,

        ---------- role
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
        coalesce(n.country, 'unknown') as country,
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

        ---------- lifecycle (what moves with sightings and listings is added by int_posting_facts; the last
        -- sighting is read only by the unique-role sessions below, and left out of the table)
        l.first_seen_at,
        l.last_seen_at,
        cast(timezone('UTC', coalesce(p.posted_at, l.first_seen_at)) as date) as new_date,
        least(
            cast(timezone('UTC', coalesce(p.posted_at, l.first_seen_at)) as date),
            cast(timezone('UTC', l.first_seen_at) as date)
        ) as active_from_date,

        ---------- near-duplicate (tier 3)
        nd.canonical_key as near_duplicate_of,
        nd.similarity as near_duplicate_similarity,

        ---------- skills: whether the posting names an AI skill (the list stays in normalised.postings: see
        -- int_posting_skills)
        n.has_ai_skill,

        ---------- provenance: a posting of the bundled synthetic sample (flagged by normalisation)
        coalesce(n.is_synthetic_sample, false) as is_synthetic_sample

    from normalised_choice as c
    inner join staging.stg_postings as p on p.rowid = c.posting_rowid
    inner join (
        -- the skill list is reduced to the AI flag before the join (lists are costly to carry)
        select
            normalised.* exclude (skill_ids),
            normalised.rowid as normalised_rowid,
            coalesce(
                list_bool_or(
                    list_transform(normalised.skill_ids, lambda skill: list_contains(ai_skills.skill_ids, skill))
                ),
                false
            ) as has_ai_skill
        from normalised.postings as normalised
        cross join ai_skills
    ) as n on n.normalised_rowid = c.normalised_rowid
    inner join intermediate.int_posting_lifecycle as l on l.posting_key = p.posting_key
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

---------- unique roles (only keys and dates go through the window sorts)

dedup_input as (

    select
        joined.posting_key,
        joined.source,
        joined.new_date,
        -- the repost window runs from the last day the group was seen (not from the open-ended listing);
        -- seen_date of sql/facts/signatures.sql: keep the two in step
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

dedup_groups as (

    select
        dedup_group,
        count(*) > 1 as has_several,
        min(source) <> max(source) as has_several_sources
    from dedup_input
    group by dedup_group

),

grouped as (

    -- a posting alone in its group is its own unique role; only groups of two or more need the windows
    select dedup_input.*, dedup_groups.has_several, dedup_groups.has_several_sources
    from dedup_input
    inner join dedup_groups on dedup_groups.dedup_group = dedup_input.dedup_group

),

same_source as (

    -- a source does not list one job twice at once: a same-source posting that appears while an
    -- earlier one of the group is still listed is another opening, not a repost (in a group of one source,
    -- the group's own running maximum below)
    select
        posting_key,
        max(last_seen_date) over (
            partition by dedup_group, source
            order by new_date, posting_key
            rows between unbounded preceding and 1 preceding
        ) as previous_same_source_last_seen_date
    from grouped
    where has_several_sources

),

gaps as (

    select
        grouped.posting_key,
        grouped.new_date,
        grouped.dedup_group,
        grouped.is_near_duplicate,
        grouped.has_several_sources,
        max(grouped.last_seen_date) over (
            partition by grouped.dedup_group
            order by grouped.new_date, grouped.posting_key
            rows between unbounded preceding and 1 preceding
        ) as previous_last_seen_date
    from grouped
    where grouped.has_several

),

sessions as (

    -- a session starts where the gap since the group's last seen day exceeds the repost window (or a
    -- same-source posting overlaps an earlier one);
    -- its first posting is the unique role of every posting in the session
    select
        gaps.posting_key,
        gaps.is_near_duplicate,
        last_value(
            case
                when gaps.previous_last_seen_date is null
                    or gaps.new_date - gaps.previous_last_seen_date > (select repost_window_days from settings)
                    or (
                        case
                            when gaps.has_several_sources then same_source.previous_same_source_last_seen_date
                            else gaps.previous_last_seen_date
                        end
                    ) >= gaps.new_date
                    then gaps.posting_key
            end ignore nulls
        ) over (
            partition by gaps.dedup_group
            order by gaps.new_date, gaps.posting_key
            rows between unbounded preceding and current row
        ) as unique_role_id
    from gaps
    left join same_source on same_source.posting_key = gaps.posting_key

),

unique_roles as (

    -- postings in a group of two or more, and near-duplicates alone in theirs; any other posting is its
    -- own unique role (not listed: the final left join gives it its own key)
    select posting_key, is_near_duplicate, posting_key as unique_role_id
    from grouped
    where not has_several and is_near_duplicate
    union all
    select posting_key, is_near_duplicate, unique_role_id
    from sessions

),

final as (

    select
        joined.* exclude (last_seen_at, near_duplicate_of, near_duplicate_similarity, has_ai_skill),
        coalesce(unique_roles.unique_role_id, joined.posting_key) as unique_role_id,
        unique_roles.unique_role_id is null or joined.posting_key = unique_roles.unique_role_id as is_canonical,
        case
            when unique_roles.unique_role_id is null or joined.posting_key = unique_roles.unique_role_id then 1
            when unique_roles.is_near_duplicate then 3
            else 2
        end as dedup_tier,
        case when unique_roles.is_near_duplicate then joined.near_duplicate_of end as near_duplicate_of,
        case when unique_roles.is_near_duplicate then joined.near_duplicate_similarity end
            as near_duplicate_similarity,
        joined.has_ai_skill
    from joined
    left join unique_roles on unique_roles.posting_key = joined.posting_key

)

select * from final
