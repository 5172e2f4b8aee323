-- Data health: the latest validation of each suite (layer) — every expectation with its result,
-- observed value (which carries failing examples) and unexpected count.
with

latest as (

    select suite, arg_max(run_id, checked_at) as run_id
    from ops.validation_results
    group by suite

)

select
    v.suite,
    v.run_id,
    strftime(max(v.checked_at) over (partition by v.suite), '%Y-%m-%d %H:%M') as checked_at,
    v.expectation,
    coalesce(v.column_name, '') as column_name,
    v.success,
    v.critical,
    v.unexpected_count,
    v.observed_value
from ops.validation_results as v
inner join latest on latest.suite = v.suite and latest.run_id = v.run_id
order by v.suite, v.success, v.critical desc, v.expectation, v.column_name
