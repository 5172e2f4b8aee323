-- The refresh's state row (ops.posting_facts_state) of each posting of a table shaped like
-- intermediate.int_posting_stable_facts that the filter keeps (jobtrends.warehouse.facts fills in the
-- table, the groups query and the filter; the filter must keep whole groups): its signature
-- (_jt_facts_sig, the build's sql/facts/signatures.sql), its unique-role group (sql/facts/groups.sql over
-- the table), and what its group's window sessions read of its last seen day.
--
-- A posting's last seen day is compared only with the new dates of the postings after it in its group (the
-- repost window, and a same-source posting that overlaps it), never later than the group's latest new
-- date: clamped there, it is all the sessions depend on. A sighting of an open posting moves its last
-- seen day every night, the clamped day rarely (only while a later posting of its group is newer than its
-- previous sighting); sql/facts/moved_groups.sql finds the groups where it moved. A posting alone in its
-- group has no sessions (both dates null).

with

members as (

    select f.posting_key, g.dedup_group, f.new_date
    from $facts as f
    inner join ($groups) as g on g.posting_key = f.posting_key
    where $filter

),

sized as (

    select
        posting_key,
        dedup_group,
        count(*) over (partition by dedup_group) as group_size,
        max(new_date) over (partition by dedup_group) as group_new_date
    from members

)

select
    s.posting_key,
    s.signature,
    z.dedup_group,
    case when z.group_size > 1 then z.group_new_date end as group_new_date,
    -- (a day the sessions ignore stays null: least() would make it the group's latest new date)
    case when z.group_size > 1 and s.seen_date is not null then least(s.seen_date, z.group_new_date) end
        as session_seen_date
from _jt_facts_sig as s
inner join sized as z on z.posting_key = s.posting_key
