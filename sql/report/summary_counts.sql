-- Volumes for the `jobtrends run` summary: what went in, what was kept, what the marts hold.
select 'raw postings (versions)' as what, count(*) as n from raw.postings
union all
select 'postings (source + id)', count(*) from staging.stg_postings
union all
select 'postings in the marts (current taxonomy)', count(*) from intermediate.int_posting_facts
union all
select 'unique roles (deduplicated)', count(*) from intermediate.int_unique_roles
union all
select 'near-duplicate postings (tier 3)', count(*) from normalised.near_duplicates
union all
select 'quarantined records', count(*) from ops.quarantine
union all
select 'claims', count(*) from marts.claims
