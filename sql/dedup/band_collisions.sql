-- The stored documents (normalised.dedup_band_keys) that share a block and the LSH bucket key of column
-- $col with a probed document (_jt_lsh_probe: probe_id, block_key and the same key columns): the
-- documents the near-duplicate step would compare it with in that band. jobtrends.dedup_index runs this
-- once per key column in one union, then reads the few rows found (r: their rowid) for their posting
-- and version: the seventeen joins scan the block and one key column each, not the posting and version
-- strings.
select p.probe_id, '$col' as band, k.rowid as r
from _jt_lsh_probe as p
inner join normalised.dedup_band_keys as k on k.block_key = p.block_key and k.$col = p.$col
