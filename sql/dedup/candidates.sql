-- Latest content version of every posting with its candidate block (normalised company) and the order
-- that decides the canonical posting (earliest first). Narrow: descriptions are read later, and only for
-- the blocks that need recomputing.
with

versions as (

    select
        posting_key,
        arg_max(
            {'content_hash': content_hash, 'company': company},
            {'fetched_at': coalesce(fetched_at, loaded_at), 'loaded_at': loaded_at, 'content_hash': content_hash}
        ) as latest,
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
    versions.latest.content_hash as content_hash,
    keys.key as block_key,
    strftime(timezone('UTC', versions.first_at), '%Y-%m-%dT%H:%M:%S') || ' ' || versions.posting_key as order_key
from versions
inner join keys on keys.raw_value = versions.latest.company
where keys.key <> ''
