-- grain: one row per (period_grain, period_start).
-- description: Every week, month, quarter and year from the first to the last observed day, with the
--   start of the period a year earlier (YoY base: 52 weeks for weeks) and of the previous period (PoP base).

with

bounds as (

    select
        min(least(new_date, active_from_date)) as first_date,
        max(greatest(new_date, active_to_date)) as as_of_date
    from intermediate.int_posting_facts

),

grains as (

    select *
    from (
        values
            ('week', interval 7 day, interval 364 day),
            ('month', interval 1 month, interval 1 year),
            ('quarter', interval 3 month, interval 1 year),
            ('year', interval 1 year, interval 1 year)
    ) as g (period_grain, step, yoy_step)

),

periods as (

    select
        grains.period_grain,
        grains.step,
        grains.yoy_step,
        bounds.as_of_date,
        unnest(generate_series(
            cast(date_trunc(grains.period_grain, bounds.first_date) as timestamp),
            cast(bounds.as_of_date as timestamp),
            grains.step
        )) as period_start_ts
    from grains
    cross join bounds
    where bounds.first_date is not null

),

final as (

    select
        period_grain,
        cast(period_start_ts as date) as period_start,
        cast(period_start_ts + step - interval 1 day as date) as period_end,
        cast(period_start_ts - yoy_step as date) as yoy_base_start,
        cast(period_start_ts - step as date) as pop_base_start,
        cast(period_start_ts + step - interval 1 day as date) <= as_of_date as is_complete,
        as_of_date
    from periods

)

select * from final
