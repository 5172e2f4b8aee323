-- Which stored signature row (signature_row: its rowid in normalised.dedup_signatures) each document
-- (_jt_dedup_versions: doc_id, posting_key, content_hash) takes: the versions signed before with
-- $num_perm permutations. Keys only: jobtrends.marts then reads the blobs in one scan of the table. The
-- other documents are signed from their text (texts.sql).
select s.rowid as signature_row, d.doc_id
from _jt_dedup_versions as d
inner join normalised.dedup_signatures as s
    on s.posting_key = d.posting_key and s.content_hash = d.content_hash and s.num_perm = $num_perm
