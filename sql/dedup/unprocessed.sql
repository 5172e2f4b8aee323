-- The posting versions not compared for near-duplicates yet; none means that no candidate block changed.
-- Every version counts, not only the latest or those naming a company: a version without a company can
-- take its posting out of its block, and an older version loaded late can date the posting earlier (and
-- so make it its group's canonical posting). The step recomputes the blocks of these versions' postings
-- and marks every one of them compared.
select distinct r.posting_key, r.content_hash
from raw.postings as r
anti join normalised.dedup_processed as p
    on p.posting_key = r.posting_key and p.content_hash = r.content_hash
