-- Latest content version of every posting with its candidate block (normalised company), when it was
-- first seen (first_at: the earliest posting of a group is the canonical one) and the raw row holding that
-- version (row_id: one row even when a version was loaded twice). Narrow: descriptions are read later,
-- and only for the blocks that need recomputing.
--
-- $postings restricts the postings (jobtrends.marts: the changed ones, when the step checks their blocks
-- before regrouping any), or is empty.
--
-- Each raw row takes its company's key before the aggregate (a join with the small key table), and the
-- latest version brings its row id, content hash and key out of the one arg_max: no join of the 1M
-- versions back to raw.postings by rowid. Rows tied on the arg_max key share their content hash, so
-- their company (a content column) and description too: whichever row wins, the output is the same.
with

keys as (

    select raw_value, max(key) as key
    from normalised.dedup_keys
    where kind = 'company'
    group by raw_value

),

versions as (

    select
        r.posting_key,
        arg_max(
            {'row_id': r.rowid, 'content_hash': r.content_hash, 'block_key': keys.key},
            {
                'fetched_at': coalesce(r.fetched_at, r.loaded_at),
                'loaded_at': r.loaded_at,
                'content_hash': r.content_hash
            }
        ) as latest,
        coalesce(min(r.posted_at), min(coalesce(r.fetched_at, r.loaded_at))) as first_at
    from raw.postings as r
    left join keys on keys.raw_value = r.company
    $postings
    group by r.posting_key

)

select
    posting_key,
    latest.content_hash as content_hash,
    latest.row_id as row_id,
    latest.block_key as block_key,
    first_at
from versions
where latest.block_key <> ''
