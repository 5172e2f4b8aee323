-- One posting per (block, identical description) in the blocks being recomputed that hold at least two
-- distinct descriptions, with its text, ordered by block (streamed to MinHash one block at a time).
with

reps as (

    select block_key, description_hash, arg_min(posting_key, order_key) as posting_key, min(order_key) as order_key
    from _jt_dedup_descriptions
    where description_hash is not null
    group by block_key, description_hash

),

multi as (

    select block_key from reps group by block_key having count(*) > 1

)

select reps.block_key, reps.posting_key, reps.order_key, any_value(raw.description) as description
from reps
inner join multi on multi.block_key = reps.block_key
inner join _jt_dedup_descriptions as d on d.posting_key = reps.posting_key
inner join raw.postings as raw on raw.posting_key = d.posting_key and raw.content_hash = d.content_hash
group by reps.block_key, reps.posting_key, reps.order_key
order by reps.block_key, reps.order_key
