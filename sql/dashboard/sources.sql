-- Data health: each source's last fetch (status, HTTP status, postings seen, error) and its run count.
select
    source_name,
    kind,
    count(*) as fetches,
    arg_max(status, started_at) as last_status,
    arg_max(http_status, started_at) as last_http_status,
    arg_max(postings_seen, started_at) as last_postings_seen,
    arg_max(error, started_at) as last_error,
    strftime(max(started_at), '%Y-%m-%d %H:%M') as last_fetch,
    count(*) filter (where status = 'failed') as failed_fetches
from ops.source_runs
group by source_name, kind
order by source_name
