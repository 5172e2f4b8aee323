-- Operational tables: bookkeeping of loads, fetches, quarantine, validation and runs.

-- grain: one row per landing file loaded into the raw layer (the loader's idempotency ledger, keyed by
-- landing_path + sha256: moving or renaming the data folder reloads nothing).
create table if not exists ops.landing_files (
    landing_file varchar primary key,      -- as loaded (rows from before landing_path: an absolute path)
    landing_path varchar,                  -- relative to the landing zone: <source>/dt=<date>/<name>
    sha256       varchar not null,
    source       varchar not null,
    run_date     date not null,
    postings     integer not null,
    errors       integer not null,
    status       varchar not null,          -- loaded | empty | failed
    note         varchar,
    loaded_at    timestamptz not null default current_timestamp
);
-- ledgers from before landing_path: the landing layout is fixed, so the last three parts of the stored
-- absolute path are the landing-relative path
alter table ops.landing_files add column if not exists landing_path varchar;
update ops.landing_files
set landing_path = regexp_extract(landing_file, '([^/]+/[^/]+/[^/]+)$', 1)
where landing_path is null;

-- grain: one row per record (or whole payload) that could not be used; nothing is dropped silently.
create table if not exists ops.quarantine (
    quarantined_at timestamptz not null default current_timestamp,
    run_id         varchar,
    stage          varchar not null,        -- load | normalise | validate
    source         varchar,
    landing_file   varchar,
    pointer        varchar,
    posting_key    varchar,
    check_name     varchar,                 -- expectation or parser check that failed
    reason         varchar not null,
    record         varchar                  -- the offending record as text
);

-- grain: one row per fetch attempt of one configured source.
create table if not exists ops.source_runs (
    run_id        varchar not null,
    source_name   varchar not null,
    kind          varchar not null,
    board         varchar,
    started_at    timestamptz not null,
    finished_at   timestamptz,
    status        varchar not null,         -- ok | not_modified | empty | failed | flagged
    http_status   integer,
    postings_seen integer,
    error         varchar,
    flagged       boolean not null default false,
    landing_files varchar[],
    record_file   varchar primary key       -- the run-record JSON it was loaded from (idempotency)
);

-- grain: one row per validation expectation result.
create table if not exists ops.validation_results (
    run_id          varchar not null,
    suite           varchar not null,
    expectation     varchar not null,
    column_name     varchar,
    success         boolean not null,
    critical        boolean not null,
    observed_value  varchar,
    unexpected_count bigint,
    checked_at      timestamptz not null default current_timestamp
);

-- grain: one row per pipeline run.
create table if not exists ops.runs (
    run_id      varchar primary key,
    command     varchar not null,
    run_date    date,
    started_at  timestamptz not null,
    finished_at timestamptz,
    status      varchar not null,           -- running | ok | failed | validation_failed
    summary     json
);

-- grain: one row per one-off data migration applied to this warehouse (see warehouse.ensure_schema).
create table if not exists ops.migrations (
    name       varchar primary key,
    applied_at timestamptz not null default current_timestamp
);
