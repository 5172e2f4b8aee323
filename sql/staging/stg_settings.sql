-- grain: exactly one row — the parameters of this build.
-- description: Build parameters, set by jobtrends.marts as DuckDB variables (SET VARIABLE jt_*) from the
--   settings (their defaults live in jobtrends.settings only: a build without them fails); every model
--   reads them from here, and the marts.settings mart publishes them.

select
    coalesce(
        try_cast(getvariable('jt_min_base') as integer), error('jt_min_base is not set (jobtrends.marts sets it)')
    ) as min_base,
    coalesce(
        try_cast(getvariable('jt_repost_window_days') as integer),
        error('jt_repost_window_days is not set (jobtrends.marts sets it)')
    ) as repost_window_days,
    coalesce(
        cast(getvariable('jt_taxonomy_version') as varchar),
        (select max(taxonomy_version) from normalised.postings),
        'unknown'
    ) as taxonomy_version,
    coalesce(cast(getvariable('jt_run_id') as varchar), 'adhoc') as run_id,
    current_timestamp as built_at
