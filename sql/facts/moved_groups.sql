-- The unique-role groups (ops.posting_facts_state) whose window sessions may have moved although no
-- posting's signature changed: a posting of a group of several whose last seen day, clamped at the group's
-- latest new date as sql/facts/state.sql stores it, is not the stored one (_jt_facts_sig: this build's
-- sql/facts/signatures.sql). A posting with another signature is recomputed with its groups anyway.

select distinct st.dedup_group
from _jt_facts_sig as s
inner join ops.posting_facts_state as st
    on st.posting_key = s.posting_key
    and st.signature = s.signature
where st.group_new_date is not null
    and st.session_seen_date is distinct from (
        case when s.seen_date is not null then least(s.seen_date, st.group_new_date) end
    )
