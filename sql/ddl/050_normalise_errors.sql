-- Exceptions inside normaliser rules, counted per rule (transform.rule_errors) instead of hidden as
-- "other" or "no pay": a rule error is a bug to fix, so every normalise run records its counts here.

-- grain: one row per (run, rule) with at least one error.
create table if not exists ops.normalise_errors (
    run_id      varchar not null,
    rule        varchar not null,           -- e.g. salary.parse_pay, locations.parse_location
    count       bigint not null,            -- exceptions recorded; values are normalised once per distinct
                                            -- value per worker, so this counts failing inputs, not rows
    example     varchar,                    -- the first input that raised (truncated)
    error       varchar,                    -- its exception type and message (truncated)
    recorded_at timestamptz not null default current_timestamp
);
