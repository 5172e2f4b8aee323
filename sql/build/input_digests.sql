-- What the staging → intermediate → marts build reads, one row per input: its rows and an
-- order-independent digest of the columns that identify a row version (raw and normalised rows are
-- appended, never edited, outside one-off migrations, which ops.migrations counts). Cheap: narrow
-- columns only, no descriptions. jobtrends.build_inputs compares them with the last published build's.
select 'raw.postings' as input, count(*) as row_count,
    coalesce(sum(hash(rowid, posting_key, content_hash, loaded_at)::hugeint), 0)::varchar as digest
from raw.postings
union all
select 'raw.sightings', count(*),
    coalesce(sum(hash(rowid, source, source_id, content_hash, seen_at, landing_file)::hugeint), 0)::varchar
from raw.sightings
union all
select 'raw.listings', count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar
from raw.listings as t
union all
select 'normalised.postings', count(*),
    coalesce(sum(hash(rowid, posting_key, content_hash, taxonomy_version, normalised_at)::hugeint), 0)::varchar
from normalised.postings
union all
select 'normalised.skill_dictionary', count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar
from normalised.skill_dictionary as t
union all
select 'normalised.dedup_keys', count(*), coalesce(sum(hash(kind, raw_value, key)::hugeint), 0)::varchar
from normalised.dedup_keys
union all
select 'normalised.near_duplicates', count(*),
    coalesce(sum(hash(posting_key, canonical_key, similarity, block_key)::hugeint), 0)::varchar
from normalised.near_duplicates
union all
-- the active exclusions, as staging.stg_exclusions selects them (the view may not exist before a build)
select 'ops.quarantine', count(*),
    coalesce(sum(hash(layer, posting_key, content_hash, coalesce(taxonomy_version, ''))::hugeint), 0)::varchar
from (
    select distinct layer, posting_key, content_hash, taxonomy_version
    from ops.quarantine
    where stage = 'validate' and layer in ('raw', 'normalised') and released_at is null
        and posting_key is not null and content_hash is not null
)
union all
select 'ops.migrations', count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar
from ops.migrations as t
