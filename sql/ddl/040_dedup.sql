-- Deduplication inputs, written by transform.dedup (via jobtrends.marts) before the SQL build.

-- grain: one row per (kind, raw value) — the normalised key of a company name, title or location.
create table if not exists normalised.dedup_keys (
    kind        varchar not null,           -- company | title | location
    raw_value   varchar not null,           -- the value as it appears in raw/normalised postings
    key         varchar not null,           -- normalised key ('' when nothing is left)
    computed_at timestamptz not null default current_timestamp
);

-- grain: one row per posting that is a near-duplicate (by description) of an earlier posting.
create table if not exists normalised.near_duplicates (
    posting_key   varchar not null,
    canonical_key varchar not null,         -- the earliest posting of the near-duplicate group
    similarity    double not null,          -- estimated Jaccard similarity of description shingles
    block_key     varchar,                  -- the candidate block (normalised company) it was found in
    computed_at   timestamptz not null default current_timestamp
);

-- grain: one row per (posting_key, content_hash) already compared (makes the near-duplicate step incremental).
create table if not exists normalised.dedup_processed (
    posting_key  varchar not null,
    content_hash varchar not null,
    block_key    varchar,
    processed_at timestamptz not null default current_timestamp
);
