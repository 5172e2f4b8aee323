-- Candidates of the blocks being recomputed, with a hash of their description in lower case without digits
-- (dates, ids and pay figures change between reposts); postings without a description are left out.
select
    c.posting_key,
    c.block_key,
    c.order_key,
    c.content_hash,
    nullif(hash(translate(lower(trim(coalesce(any_value(raw.description), ''))), '0123456789', '')), hash(''))
        as description_hash
from _jt_dedup_candidates as c
inner join raw.postings as raw on raw.posting_key = c.posting_key and raw.content_hash = c.content_hash
where c.block_key in (select block_key from _jt_dedup_blocks)
group by c.posting_key, c.block_key, c.order_key, c.content_hash
