-- Raw layer: what sources said, append-only. Loaded from the landing zone by the loader.

-- grain: one row per (source, source_id, content_hash) — a posting version as fetched.
create table if not exists raw.postings (
    posting_key         varchar not null,   -- source || ':' || source_id
    source              varchar not null,
    source_id           varchar not null,
    content_hash        varchar not null,   -- hash of the canonical fields (fetch bookkeeping excluded)
    board               varchar,
    title               varchar,
    company             varchar,
    url                 varchar,
    location_text       varchar,
    country             varchar,
    remote              boolean,
    work_mode           varchar,
    employment_type     varchar,
    description         varchar using compression zstd,  -- see below
    posted_at           timestamptz,
    posted_at_precision varchar,
    pay_min             double,
    pay_max             double,
    pay_currency        varchar,
    pay_period          varchar,
    pay_text            varchar,
    pay_is_estimate     boolean,
    raw_ref             varchar,            -- landing file path + '#' + pointer into the payload
    fetched_at          timestamptz,
    extra               json,
    landing_file        varchar not null,
    run_date            date not null,
    loaded_at           timestamptz not null default current_timestamp,
    description_bytes   bigint              -- strlen(description), set by the loaders (see below)
);
-- description: ~3 KB of prose per row, most of the table's bytes. DuckDB's automatic choice
-- (dictionary + FSST) costs ~30 s of compression analysis per 1M texts at checkpoint and stores ~1.5 GB;
-- zstd writes them in ~7 s and ~0.25 GB, and scans faster (README, Benchmarks). Warehouses
-- from before get the table rewritten once (jobtrends.warehouse.migrations); a file of a storage version
-- before 1.2.0 (created by an older DuckDB) cannot store zstd and gets this DDL without the clause.
-- Validation checks the size of every new description: reading this column instead of the ~3 KB texts
-- made its frame of 1M rows ~5x faster. Warehouses from before it get the column empty: their rows are
-- measured from the text (expectations/raw.py).
alter table raw.postings add column if not exists description_bytes bigint;

-- grain: one row per (posting, landing file) — every time a listing showed the posting.
create table if not exists raw.sightings (
    source       varchar not null,
    source_id    varchar not null,
    board        varchar,
    content_hash varchar not null,
    seen_at      timestamptz not null,
    run_date     date not null,
    landing_file varchar not null
);

-- grain: one row per landed payload that lists postings of a board.
create table if not exists raw.listings (
    source           varchar not null,
    board            varchar,
    fetched_at       timestamptz not null,
    run_date         date not null,
    complete_listing boolean not null,
    postings         integer not null,
    landing_file     varchar not null
);
