-- The parameters of the published build (one row): as-of date, taxonomy, minimum base, sample flag.
select taxonomy_version, min_base, repost_window_days, as_of_date, synthetic_postings, contains_synthetic_sample
from marts.settings
