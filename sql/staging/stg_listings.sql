-- grain: one row per landing_file — one payload that listed the postings of a board.
-- description: Board listings as fetched; a complete listing is one that shows every open posting of
--   the board, so a posting it does not show has closed.

with

source as (

    select * from raw.listings

),

renamed as (

    select
        landing_file,
        any_value(source) as source,
        coalesce(any_value(board), '') as board,
        max(fetched_at) as fetched_at,
        max(run_date) as run_date,
        bool_and(complete_listing) as is_complete_listing,
        max(postings) as posting_count
    from source
    group by landing_file

)

select * from renamed
