-- grain: one row per posting_key (source + source id): its latest content version.
-- description: Postings as sources published them, latest version of each; the first posted_at and the
--   first fetch of any version are kept so that a posting stays "new" in the period it first appeared.
--   Descriptions, raw locations and raw pay stay in raw.postings (normalised.postings has them parsed).
-- materialized: view (writing 1M rows of titles, companies and URLs to the file cost more than computing them)
-- build: temp table (int_posting_facts and int_posting_lifecycle read it)

with

-- raw.postings is read twice (the versions, then the latest row by its id): not materialized, and
-- without its description, so the wide text never goes through a buffer; versions in quarantine
-- (staging.stg_exclusions) are left out, as if they had never arrived
source as not materialized (

    select
        * exclude (description),
        rowid as source_rowid
    from raw.postings as p
    where not exists (
        select 1
        from staging.stg_exclusions as x
        where x.layer = 'raw' and x.posting_key = p.posting_key and x.content_hash = p.content_hash
    )

),

versions as (

    -- one row per posting: which version is the latest (its row id), and what the earliest versions said
    select
        posting_key,
        arg_max(
            source_rowid,
            {'fetched_at': coalesce(fetched_at, loaded_at), 'loaded_at': loaded_at, 'content_hash': content_hash}
        ) as latest_rowid,
        min(posted_at) as first_posted_at,
        min(coalesce(fetched_at, loaded_at)) as first_fetched_at,
        count(*) as version_count
    from source
    group by posting_key

),

renamed as (

    select
        ---------- ids
        source.posting_key,
        source.source,
        source.source_id,
        source.content_hash,
        source.board,

        ---------- text (location and pay are used from normalised.postings)
        source.title,
        source.company,
        source.url,
        source.employment_type,

        ---------- timestamps
        versions.first_posted_at as posted_at,
        source.posted_at_precision,
        versions.first_fetched_at,
        source.fetched_at as latest_fetched_at,
        source.run_date as latest_run_date,
        versions.version_count

    from versions
    inner join source on source.source_rowid = versions.latest_rowid

)

select * from renamed
