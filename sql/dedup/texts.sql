-- The description of each document (_jt_dedup_docs: doc_id, row_id of its raw version), in no particular
-- order (no sort of the texts): the MinHash kernel writes each signature at its doc_id. Empty
-- descriptions are left out (they are never grouped).
select d.doc_id, raw.description
from _jt_dedup_docs as d
inner join raw.postings as raw on raw.rowid = d.row_id
where raw.description <> ''
