-- grain: one row per published build of staging → intermediate → marts (jobtrends.build_inputs).
-- The digest summarises everything the build read (input tables, model SQL, mart checks, build
-- settings): a build whose inputs have the digest of the last published one would publish the same
-- marts, so it is skipped (`run --full` never skips).
create table if not exists ops.build_inputs (
    run_id       varchar not null,
    digest       varchar not null,
    marts        varchar[] not null,        -- the marts that build published
    inputs       json,                      -- rows and digest per input table (to see what changed)
    published_at timestamptz not null default current_timestamp
);
