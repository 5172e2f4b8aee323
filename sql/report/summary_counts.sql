-- The volumes behind a run: one row, read by `jobtrends run`'s summary.
select
    (select count(*) from ops.landing_files)                       as landing_files,
    (select count(*) from raw.postings)                            as posting_versions,
    (select count(distinct posting_key) from raw.postings)         as postings,
    (select count(*) from normalised.postings)                     as normalised,
    (select count(*) from ops.quarantine)                          as quarantined,
    (select count(*) from ops.source_runs where status = 'failed') as failed_fetches
