-- Every published claim, with the display name of its role and its SQL (the report assembles its tables
-- from these; the dashboard's claims table shows them and its charts link to the ids).
select
    claims.claim_id,
    claims.metric,
    claims.value,
    claims.numerator,
    claims.denominator,
    claims.unit,
    claims.period_grain,
    claims.period,
    claims.role,
    coalesce(dim_roles.role_name, claims.role) as role_name,
    claims.panel,
    claims.dedup_level,
    claims.taxonomy_version,
    claims.n,
    claims.sql
from marts.claims as claims
left join marts.dim_roles as dim_roles on dim_roles.role = claims.role
order by claims.claim_id
