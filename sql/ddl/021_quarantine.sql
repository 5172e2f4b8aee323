-- Quarantine by validation: which row version a record is, and when a later run found it valid again.
-- Rows of ops.quarantine with stage 'validate' and released_at null are the active exclusions: the
-- staging and intermediate models leave those row versions out of the marts (staging.stg_exclusions).
alter table ops.quarantine add column if not exists layer varchar;            -- raw | normalised
alter table ops.quarantine add column if not exists content_hash varchar;
alter table ops.quarantine add column if not exists taxonomy_version varchar; -- normalised rows only
alter table ops.quarantine add column if not exists released_at timestamptz;  -- null: still excluded
alter table ops.quarantine add column if not exists released_run_id varchar;

-- grain: one row per (layer, run_id) that validated a batch and accepted it (no structural failure,
-- quarantined share within the limit). The next run validates only the rows added after
-- validated_through (plus the rows still in quarantine); suite_hash changes force a full validation.
create table if not exists ops.validation_batches (
    layer             varchar not null,
    run_id            varchar not null,
    validated_through timestamptz,          -- newest loaded_at / normalised_at validated (null: empty)
    suite_hash        varchar not null,     -- the suite's source and parameters it was judged by
    full_validation   boolean not null,
    batch_rows        bigint not null,      -- rows added since the previous accepted batch
    rechecked_rows    bigint not null,      -- other rows validated with them (quarantined, same keys)
    quarantined_rows  bigint not null,      -- rows of the batch quarantined
    released_rows     bigint not null,      -- rows a fix made valid again
    accepted_at       timestamptz not null default current_timestamp
);
