-- Data health: volumes from raw to the marts.
select 'raw posting versions' as what, count(*) as n from raw.postings
union all
select 'postings in the marts', count(*) from intermediate.int_posting_facts
union all
select 'unique roles (deduplicated)', count(*) from intermediate.int_unique_roles
union all
select 'quarantined records', count(*) from ops.quarantine
union all
select 'claims', count(*) from marts.claims
