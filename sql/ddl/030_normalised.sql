-- Normalised values, written by the Python normalisers (distinct values normalised once).

-- grain: one row per (posting_key, content_hash, taxonomy_version).
create table if not exists normalised.postings (
    posting_key        varchar not null,
    content_hash       varchar not null,
    taxonomy_version   varchar not null,
    title_clean        varchar,             -- title with levels, locations, codes and noise stripped
    role               varchar not null,
    seniority          varchar not null,
    is_ai_role         boolean not null,
    role_confidence    double,
    role_rule          varchar,             -- the rule or alias that decided the role
    salary_min         double,
    salary_max         double,
    salary_currency    varchar,
    salary_period      varchar,
    annual_min         double,              -- original currency
    annual_max         double,
    annual_min_usd     double,
    annual_max_usd     double,
    fx_rate_month      varchar,             -- YYYY-MM of the reference rate used
    salary_source      varchar,             -- structured | text
    salary_is_estimate boolean,
    city               varchar,
    region             varchar,
    country            varchar,             -- ISO 3166-1 alpha-2
    work_mode          varchar,             -- remote | hybrid | onsite | null
    normalised_at      timestamptz not null default current_timestamp,
    skill_ids          varchar[],           -- skills named, sorted ids (categories in skill_dictionary)
    is_synthetic_sample boolean             -- the description ends with the bundled sample's marker
);
-- warehouses created before these columns existed (the flag is backfilled from raw.postings)
alter table normalised.postings add column if not exists skill_ids varchar[];
alter table normalised.postings add column if not exists is_synthetic_sample boolean;

-- grain: one row per skill id; written by every normalise run (insert or replace), so ids named by
-- postings normalised with an older dictionary keep their category.
create table if not exists normalised.skill_dictionary (
    skill_id varchar primary key,
    category varchar,
    is_core  boolean not null              -- one of the contract's core skills (skills.md)
);
