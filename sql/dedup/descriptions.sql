-- Candidates of the blocks being recomputed, in no particular order, with the integer second they were
-- first seen (sec). jobtrends.marts orders them by block and, inside a block, earliest first (by sec, then
-- by posting key) without sorting these strings in SQL: the position is the document's number (doc_id) and
-- the first of a near-duplicate group is its canonical posting. Narrow: texts.sql streams the descriptions
-- (of the versions without a stored signature: signatures.sql).
select c.posting_key, c.content_hash, c.block_key, c.row_id, epoch_us(c.first_at) // 1000000 as sec
from _jt_dedup_candidates as c
where c.block_key in (select block_key from _jt_dedup_blocks)
