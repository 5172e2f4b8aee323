-- Latest content version of every posting with its candidate block (normalised company), when it was
-- first seen (first_at: the earliest posting of a group is the canonical one) and the raw row holding that
-- version (row_id: one row even when a version was loaded twice). Narrow: descriptions are read later,
-- and only for the blocks that need recomputing.
with

versions as (

    select
        posting_key,
        arg_max(
            rowid,
            {'fetched_at': coalesce(fetched_at, loaded_at), 'loaded_at': loaded_at, 'content_hash': content_hash}
        ) as row_id,
        coalesce(min(posted_at), min(coalesce(fetched_at, loaded_at))) as first_at
    from raw.postings
    group by posting_key

),

keys as (

    select raw_value, max(key) as key
    from normalised.dedup_keys
    where kind = 'company'
    group by raw_value

)

select
    versions.posting_key,
    raw.content_hash,
    versions.row_id,
    keys.key as block_key,
    versions.first_at
from versions
inner join raw.postings as raw on raw.rowid = versions.row_id
inner join keys on keys.raw_value = raw.company
where keys.key <> ''
