-- grain: exactly one row — the parameters and as-of date of the published build.
-- description: Build parameters (minimum base for changes, repost window, taxonomy version, run id) and
--   the last observed day; every mart was built with these.

with

settings as (

    select * from staging.stg_settings

),

as_of as (

    select max(as_of_date) as as_of_date from intermediate.int_calendar

)

select
    settings.run_id,
    settings.taxonomy_version,
    settings.min_base,
    settings.repost_window_days,
    as_of.as_of_date,
    settings.built_at
from settings
cross join as_of
