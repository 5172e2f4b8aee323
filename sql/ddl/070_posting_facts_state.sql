-- The state of the incremental refresh of intermediate.int_posting_stable_facts (jobtrends.warehouse.facts):
-- for each posting the table holds, the hash of the per-posting inputs its row was computed from and its
-- unique-role group; the refresh recomputes only the postings whose hash changed, the groups they leave or
-- join, and the groups whose sessions a later sighting may move. Written in the build's transaction with
-- the table, so the two stay in step.
create table if not exists ops.posting_facts_state (
    posting_key       varchar not null,
    signature         ubigint not null,      -- hash of the posting's inputs (sql/facts/signatures.sql)
    dedup_group       ubigint,               -- its unique-role group (sql/facts/groups.sql)
    group_new_date    date,                  -- the group's latest new date (null: alone in its group)
    session_seen_date date                   -- its last seen day as the group's sessions read it (sql/facts/state.sql)
);
-- (warehouses from before the two dates: the refresh's new key rebuilds the state in full)
alter table ops.posting_facts_state add column if not exists group_new_date date;
alter table ops.posting_facts_state add column if not exists session_seen_date date;

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
