-- The unique-role group of each posting of a table shaped like intermediate.int_posting_stable_facts
-- ($facts): the dedup_group of int_posting_stable_facts.sql, read back from its output (a posting is a tier 3
-- near-duplicate exactly when near_duplicate_of is set, and its canonical is then a row of the table).
-- jobtrends.warehouse.facts recomputes whole groups: keep this in step with dedup_input of the model
-- (tests/sql/test_facts_incremental.py builds both ways and compares).

select
    f.posting_key,
    hash(
        case
            when f.near_duplicate_of is not null then
                case
                    when canon.company_key = '' or canon.title_key = '' then canon.posting_key
                    else canon.company_key || '#' || canon.title_key || '#' || canon.location_key
                end
            when f.company_key = '' or f.title_key = '' then f.posting_key
            else f.company_key || '#' || f.title_key || '#' || f.location_key
        end
    ) as dedup_group
from $facts as f
left join $facts as canon on canon.posting_key = f.near_duplicate_of
