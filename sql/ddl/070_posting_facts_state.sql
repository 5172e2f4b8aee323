-- The state of the incremental refresh of intermediate.int_posting_facts (jobtrends.warehouse.facts):
-- for each posting the table holds, the hash of the per-posting inputs its row was computed from and its
-- unique-role group; the refresh recomputes only the postings whose hash changed and the groups they
-- leave or join. Written in the build's transaction with the table, so the two stay in step.
create table if not exists ops.posting_facts_state (
    posting_key varchar not null,
    signature   ubigint not null,            -- hash of the posting's inputs (sql/facts/signatures.sql)
    dedup_group ubigint                      -- its unique-role group (sql/facts/groups.sql)
);

-- grain: at most one row — what the state above was computed under. A build whose global inputs
-- (settings, AI skills, model SQL, the refresh's code, DuckDB version) hash to another key rebuilds the
-- table in full.
create table if not exists ops.posting_facts_meta (
    global_key   varchar not null,
    facts_rows   bigint not null,            -- rows of int_posting_facts (and of the state) when written
    mode         varchar not null,           -- full | incremental | unchanged: how the last build made it
    reason       varchar,                    -- why a build was full
    rows_written bigint not null,            -- rows (re)computed by the last build
    refreshed_at timestamptz not null default current_timestamp
);
