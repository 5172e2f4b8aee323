-- The stored signatures of the documents (_jt_dedup_versions: doc_id, posting_key, content_hash) signed
-- before with $num_perm permutations; the others are signed from their text (texts.sql).
select d.doc_id, s.text_hash, s.words, s.signature
from _jt_dedup_versions as d
inner join normalised.dedup_signatures as s
    on s.posting_key = d.posting_key and s.content_hash = d.content_hash and s.num_perm = $num_perm
