-- Data health: volumes from the raw layer to the published marts (marts totals, not the intermediate
-- views, which would be recomputed here).
with

totals as (

    select sum(new_postings) as postings, sum(new_unique_roles) as unique_roles
    from marts.agg_title_growth
    where period_grain = 'year' and role = 'all' and seniority = 'all' and country = 'all'

)

select 'raw posting versions' as what, (select count(*) from raw.postings) as n
union all
select 'postings in the marts', (select postings from totals)
union all
select 'unique roles (deduplicated)', (select unique_roles from totals)
union all
select 'quarantined records', (select count(*) from ops.quarantine)
union all
select 'claims', (select count(*) from marts.claims)
