-- Data health: postings loaded into the raw layer per landing date and source kind.
select
    strftime(run_date, '%Y-%m-%d') as run_date,
    source,
    sum(postings) as postings,
    sum(errors) as errors,
    count(*) as files
from ops.landing_files
group by run_date, source
order by run_date, source
