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

-- grain: one row per (posting_key, content_hash, num_perm) — the MinHash signature of a posting version's
-- description (transform.dedup.Signatures), kept so that a recomputed block signs only the versions it
-- has not signed before (a signature depends on the text alone: the grouping is the same as re-signing).
-- Versions no longer the latest of their posting are dropped when a new one is signed.
create table if not exists normalised.dedup_signatures (
    posting_key  varchar not null,
    content_hash varchar not null,
    num_perm     integer not null,
    text_hash    ubigint not null,          -- hash of the normalised word sequence (identical texts)
    words        integer not null,          -- 0: no words, never grouped
    signature    uinteger[] not null        -- the num_perm MinHash values
);

-- grain: one row per posting whose latest version the near-duplicate step grouped in a block and whose
-- description has words — the LSH bucket keys it was compared by (transform.dedup.band_keys: b0..b15, one
-- per band, null past the signature's bands; t: its identical-text key). A nightly step looks a new
-- version's keys up here: a block whose new and replaced versions meet no near-duplicate keeps its groups
-- and is not recomputed (jobtrends.dedup_index).
create table if not exists normalised.dedup_band_keys (
    posting_key  varchar not null,
    content_hash varchar not null,
    block_key    varchar not null,
    t ubigint not null,
    b0 ubigint, b1 ubigint, b2 ubigint, b3 ubigint, b4 ubigint, b5 ubigint, b6 ubigint, b7 ubigint,
    b8 ubigint, b9 ubigint, b10 ubigint, b11 ubigint, b12 ubigint, b13 ubigint, b14 ubigint, b15 ubigint
);

-- grain: one row — the parameters normalised.dedup_band_keys was written with; none (or others) makes the
-- next step regroup every block and write the keys anew.
create table if not exists normalised.dedup_band_keys_state (
    num_perm     integer not null,
    threshold    double not null,
    max_bucket   integer not null,
    version      integer not null,
    written_at   timestamptz not null default current_timestamp
);
