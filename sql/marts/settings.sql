-- grain: grain_columns in settings.yml (one definition: the marts expectations check it)
-- rows: the parameters and as-of date of the published build.
-- description: Build parameters (minimum base for changes, repost window, taxonomy version) and the last
--   observed day; every mart was built with these. Which run built them is in ops.runs, not here, so that
--   two builds of the same data give byte-identical marts.

with

settings as (

    select * from staging.stg_settings

),

synthetic as (

    select count(*) filter (where is_synthetic_sample) as synthetic_postings
    from intermediate.int_posting_facts

),

as_of as (

    select max(as_of_date) as as_of_date from intermediate.int_calendar

)

select
    settings.taxonomy_version,
    settings.min_base,
    settings.repost_window_days,
    as_of.as_of_date,
    synthetic.synthetic_postings,
    synthetic.synthetic_postings > 0 as contains_synthetic_sample
from settings
cross join as_of
cross join synthetic
