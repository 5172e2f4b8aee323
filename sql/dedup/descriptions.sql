-- Candidates of the blocks being recomputed, ordered by block and, inside a block, earliest first (to the
-- second, then by posting key): the row number is the document's position (doc_id) and the first of a
-- near-duplicate group is its canonical posting. Narrow: texts.sql streams the descriptions (of the
-- versions without a stored signature: signatures.sql).
select c.posting_key, c.content_hash, c.block_key, c.row_id
from _jt_dedup_candidates as c
where c.block_key in (select block_key from _jt_dedup_blocks)
order by c.block_key, epoch_us(c.first_at) // 1000000, c.posting_key  -- integer seconds: a cheap sort key
