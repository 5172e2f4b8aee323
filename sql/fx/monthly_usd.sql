-- Monthly average of each day's units per USD, crossed via EUR (units per EUR / USD per EUR on the same
-- day); EUR itself is 1 / (USD per EUR). Read by warehouse.fx_monthly_usd for transform.fx.
with usd as (
    select rate_date, units_per_eur as usd_per_eur from ref.fx_rates where currency = 'USD'
),
daily as (
    select r.rate_date, r.currency, r.units_per_eur / u.usd_per_eur as units_per_usd
    from ref.fx_rates as r
    join usd as u using (rate_date)
    where r.currency <> 'USD'
    union all
    select rate_date, 'EUR' as currency, 1.0 / usd_per_eur as units_per_usd from usd
)
select strftime(rate_date, '%Y-%m') as month, currency, avg(units_per_usd) as units_per_usd
from daily
group by all
order by currency, month
