-- The parameters of the published build.
select run_id, taxonomy_version, min_base, repost_window_days, as_of_date, built_at from marts.settings
