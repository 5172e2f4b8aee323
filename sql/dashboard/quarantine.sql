-- Data health: quarantined records by stage and reason (top 15), with one example pointer.
select
    stage,
    coalesce(check_name, '') as check_name,
    reason,
    count(*) as records,
    min(coalesce(source, '')) as example_source,
    min(coalesce(pointer, posting_key, landing_file, '')) as example
from ops.quarantine
group by stage, coalesce(check_name, ''), reason
order by records desc, stage, reason
limit 15
