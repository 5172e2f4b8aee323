-- Near-duplicate rows for the recomputed blocks: every posting points at the earliest posting of its group
-- (identical description hash, joined into MinHash groups by _jt_nd_map: representative -> canonical).
with

candidates as (

    select * from _jt_dedup_descriptions where description_hash is not null

),

reps as (

    select block_key, description_hash, arg_min(posting_key, order_key) as rep_key
    from candidates
    group by block_key, description_hash

),

mapped as (

    select
        candidates.posting_key,
        candidates.block_key,
        coalesce(nd_map.canonical_key, reps.rep_key) as canonical_key,
        case when nd_map.canonical_key is null then 1.0 else nd_map.similarity end as similarity
    from candidates
    inner join reps
        on reps.block_key = candidates.block_key and reps.description_hash = candidates.description_hash
    left join _jt_nd_map as nd_map on nd_map.posting_key = reps.rep_key

)

select posting_key, canonical_key, similarity, block_key
from mapped
where posting_key <> canonical_key
