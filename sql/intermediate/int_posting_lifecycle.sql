-- grain: one row per posting_key.
-- description: When each posting was first and last seen, and whether it has closed: a posting closes at
--   the first COMPLETE listing of its source + board, fetched after its last sighting, that did not show
--   it; it reopens (closed_at null again) when a later listing shows it again.
-- materialized: view (read once per build, by int_posting_facts)
-- build: temp table (so the build reads the temp copy of stg_postings, not its view)

with

postings as (

    select
        posting_key,
        source,
        coalesce(board, '') as board,
        first_fetched_at,
        latest_fetched_at
    from staging.stg_postings

),

sightings as (

    select
        posting_key,
        min(seen_at) as first_sighting_at,
        max(seen_at) as last_sighting_at,
        count(*) as sighting_count
    from staging.stg_sightings
    group by posting_key

),

complete_listings as (

    select source, board, fetched_at
    from staging.stg_listings
    where is_complete_listing

),

last_listing as (

    select source, board, max(fetched_at) as last_listing_at
    from staging.stg_listings
    group by source, board

),

seen as (

    select
        postings.posting_key,
        postings.source,
        postings.board,
        least(sightings.first_sighting_at, postings.first_fetched_at) as first_seen_at,
        greatest(sightings.last_sighting_at, postings.latest_fetched_at) as last_seen_at,
        coalesce(sightings.sighting_count, 0) as sighting_count
    from postings
    left join sightings on sightings.posting_key = postings.posting_key

),

closed as (

    -- the first complete listing after the last sighting (ASOF: no correlated subquery)
    select
        seen.*,
        complete_listings.fetched_at as closed_at
    from seen
    asof left join complete_listings
        on complete_listings.source = seen.source
        and complete_listings.board = seen.board
        and complete_listings.fetched_at > seen.last_seen_at

),

final as (

    select
        closed.posting_key,
        closed.source,
        closed.board,
        closed.first_seen_at,
        closed.last_seen_at,
        closed.closed_at,
        closed.closed_at is not null as is_closed,
        closed.sighting_count,
        -- an open posting is taken as listed until the last fetch of its board
        case
            when closed.closed_at is null then greatest(closed.last_seen_at, last_listing.last_listing_at)
            else closed.last_seen_at
        end as listed_through_at
    from closed
    left join last_listing
        on last_listing.source = closed.source
        and last_listing.board = closed.board

)

select * from final
