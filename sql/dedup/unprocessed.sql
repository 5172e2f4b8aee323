-- The posting versions with a company key that have not been compared for near-duplicates yet; none means
-- that no candidate block changed (each latest version is one of these versions). Taking every version,
-- not only the latest, keeps this a single anti join; the latest versions among them are the ones the
-- step marks compared (a semi join of the candidates with this small table).
select distinct r.posting_key, r.content_hash
from raw.postings as r
semi join (
    select raw_value from normalised.dedup_keys where kind = 'company' and key <> ''
) as k on k.raw_value = r.company
anti join normalised.dedup_processed as p
    on p.posting_key = r.posting_key and p.content_hash = r.content_hash
