-- grain: one row per (layer, posting_key, content_hash, taxonomy_version) — a row version in quarantine.
-- description: Row versions that failed a row-level critical check and have not passed one since
--   (ops.quarantine, stage 'validate', not released). stg_postings leaves out the raw versions and
--   int_posting_facts the normalised rows: the rest is published. Recomputed by every validation, so a
--   row that a rule or parser fix makes valid comes back by itself.
-- materialized: view (a handful of rows, read twice per build)

select distinct
    layer,
    posting_key,
    content_hash,
    coalesce(taxonomy_version, '') as taxonomy_version
from ops.quarantine
where stage = 'validate'
    and layer in ('raw', 'normalised')
    and released_at is null
    and posting_key is not null
    and content_hash is not null
