-- Reference data: ECB euro foreign exchange reference rates, one row per published (day, currency) cell
-- of eurofxref-hist.csv, loaded from the landing zone (source `fx`, or `jobtrends fx update --file`).
-- transform.fx converts pay with their monthly averages, crossed to USD via EUR (sql/fx/monthly_usd.sql).
create schema if not exists ref;

-- grain: one row per (rate_date, currency); a newer history file replaces the values it also holds.
create table if not exists ref.fx_rates (
    rate_date     date not null,
    currency      varchar not null,          -- ISO 4217
    units_per_eur double not null,           -- units of the currency per 1 EUR, as published
    source        varchar not null,          -- ecb
    landing_file  varchar,                   -- the payload it was read from
    loaded_at     timestamptz not null default current_timestamp,
    primary key (rate_date, currency)
);

-- which table converted each posting's pay: ecb:<newest rate date> | bundled:<version> | identity (USD)
alter table normalised.postings add column if not exists fx_source varchar;
