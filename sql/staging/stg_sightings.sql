-- grain: one row per raw sighting (posting, landing file): one listing payload that showed the posting.
-- description: Every time a board listing showed a posting (sightings drive first/last seen and closes).
-- materialized: view (read once, by int_posting_lifecycle: a table would only copy raw.sightings)

with

source as (

    select * from raw.sightings

),

renamed as (

    select
        source || ':' || source_id as posting_key,
        source,
        source_id,
        landing_file,
        coalesce(board, '') as board,
        content_hash,
        seen_at,
        run_date
    from source

)

select * from renamed
