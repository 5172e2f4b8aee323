-- Every distinct value (company name, normalised title, location) that needs a dedup key; the keys are
-- recomputed each build (cheap: distinct values only) so that a change of the key rules applies everywhere.
select distinct 'company' as kind, company as raw_value
from raw.postings
where company is not null
union all
select distinct 'title' as kind, title_clean as raw_value
from normalised.postings
where title_clean is not null
union all
select distinct
    'location' as kind,
    coalesce(city, '') || '|' || coalesce(region, '') || '|' || coalesce(country, '') as raw_value
from normalised.postings
