-- How many posting versions with a company key have not been compared for near-duplicates yet; 0 means
-- that no candidate block changed (each latest version is one of these versions). Counting every version,
-- not only the latest, keeps this a single anti join.
select count(*)
from raw.postings as r
semi join (
    select raw_value from normalised.dedup_keys where kind = 'company' and key <> ''
) as k on k.raw_value = r.company
anti join normalised.dedup_processed as p
    on p.posting_key = r.posting_key and p.content_hash = r.content_hash
