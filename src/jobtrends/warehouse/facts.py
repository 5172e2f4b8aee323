"""Incremental refresh of ``intermediate.int_posting_stable_facts``, the one table of the layers (1M rows
at 1M postings, rebuilt from scratch it is most of the layers' time and rewritten on every commit).

The table holds what stays put per posting version; ``intermediate.int_posting_facts`` (a view, which the
build computes once) adds what moves with every sighting and board listing — last seen, closed, the end of
the active interval — from ``int_posting_lifecycle``. A nightly run fetches whole board listings, which
move those columns for most open postings: stored, they made most rows change every night.

The model (``sql/intermediate/int_posting_stable_facts.sql``) stays the one definition: the refresh runs
it on a subset of the postings and replaces their rows. Two parts of each row have different scopes:

- the posting's own columns (role, pay, keys, new date, ...) are a function of its own inputs, summarised
  per posting by a hash (``sql/facts/signatures.sql``: latest raw version, the normalised row chosen and
  the columns read from it, first sighting, near-duplicate row, dedup keys);
- its unique role is a function of its whole group (``sql/facts/groups.sql``): the window sessions of
  every posting of a group change when one posting joins, leaves or changes in it, or when a posting's
  last seen day moves past the new date of a later one (``sql/facts/state.sql`` stores that day clamped
  at the group's latest new date; ``sql/facts/moved_groups.sql`` finds where it moved).

A build stores each posting's hash, group and clamped day (``ops.posting_facts_state``). The next one
recomputes the postings whose hash changed or that left (and those whose near-duplicate canonical did:
their group follows it), then every posting of the groups they left or joined or whose sessions moved,
each run with the canonicals its near-duplicates need; it deletes and inserts only those rows (and keeps
both sets for the build's additive aggregates: :mod:`.additive`). Anything
global — the settings, the AI skill list, any staging/intermediate SQL, this module, the DuckDB version —
is hashed into one key (``ops.posting_facts_meta``); another key, a state out of step with the table, too
many changes, or ``full`` rebuilds the whole table (and writes the whole state).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from jobtrends.warehouse import additive

log = logging.getLogger(__name__)

#: The model this module refreshes.
FACTS_MODEL = "intermediate.int_posting_stable_facts"
#: Part of the global key: bump it when the stored table or state change meaning without a change of
#: their SQL (version 2: the lifecycle columns that move with listings left the stored table), so that the
#: first build after the upgrade rebuilds both in full.
STATE_VERSION = 2
_TABLE = FACTS_MODEL
_STATE = "ops.posting_facts_state"
_META = "ops.posting_facts_meta"
_STG = "staging.stg_postings"
_LIFECYCLE = "intermediate.int_posting_lifecycle"
_NORMALISED = "normalised.postings"
#: Above this share of the table's rows to recompute, one full rebuild costs less than the subset runs.
MAX_CHANGED_SHARE = 0.25
_TEMPS = (
    "_jt_facts_sig",
    "_jt_facts_changed",
    "_jt_facts_removed",
    "_jt_facts_moved",
    "_jt_facts_new_groups",
    "_jt_facts_groups",
    "_jt_facts_rows",
    "_jt_facts_run",
    "_jt_facts_stg",
    "_jt_facts_lifecycle",
    "_jt_facts_normalised",
    "_jt_facts_out",
)


def handles(qualified: str, sql_dir: Path) -> bool:
    """Whether the model named ``qualified`` is refreshed here (the SQL tree has the refresh's queries)."""
    return qualified == FACTS_MODEL and (Path(sql_dir) / "facts" / "signatures.sql").is_file()


def refresh(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    model_sql: str,
    tables: Mapping[str, str],
    run_full: Callable[[], None],
    *,
    incremental: bool,
) -> dict[str, Any]:
    """Bring ``intermediate.int_posting_stable_facts`` up to date; returns ``mode`` (full, incremental,
    unchanged), ``reason`` (of a full build) and ``rows_written``.

    ``model_sql`` is the model's select; ``tables`` maps the models it reads to the build's temp copies
    (``staging.stg_postings``...); ``run_full()`` builds the whole table the way every other model is built.
    Call it inside the build's transaction: the table and its state change together or not at all.
    """
    sql_dir = Path(sql_dir)
    additive.drop_delta(con)
    if not _state_tables_exist(con):
        run_full()  # a warehouse without the state tables (the DDL of another tree): a plain model
        return {"mode": "full", "reason": "no state tables", "rows_written": None}
    con.execute(
        f"create or replace temp table _jt_facts_sig as {_subst(_read(sql_dir, 'signatures'), tables)}"
    )
    key = _global_key(con, sql_dir)
    reason = _why_full(con, key) if incremental else "full build requested"
    result = None if reason else _incremental(con, sql_dir, model_sql, tables)
    if result is None:
        reason = reason or f"more than {MAX_CHANGED_SHARE:.0%} of the postings changed"
        run_full()
        result = {"mode": "full", "reason": reason, "rows_written": _count(con, _TABLE)}
    _write_meta(con, sql_dir, key, result)
    # (after an error the caller's rollback drops them: a failed statement aborted the transaction)
    for name in _TEMPS:
        con.execute(f"drop table if exists temp.main.{name}")
    log.info("int_posting_facts: %s", result)
    return result


# ----------------------------------------------------------------------------- the two paths


def _why_full(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    rows = con.execute(f"select global_key, facts_rows from {_META}").fetchall()
    if len(rows) != 1:
        return "no state of a previous build"
    if rows[0][0] != key:
        return "settings, AI skills, model SQL or DuckDB version changed"
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        _TABLE.split("."),
    ).fetchall()[0][0]
    if not exists:
        return "no table to refresh"
    if not (_count(con, _TABLE) == _count(con, _STATE) == rows[0][1]):
        return "the state is out of step with the table"
    return None


def _incremental(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, model_sql: str, tables: Mapping[str, str]
) -> dict[str, Any] | None:
    """Recompute the rows whose inputs, group or sessions changed; None when a full rebuild is cheaper."""
    con.execute(
        f"""create or replace temp table _jt_facts_changed as
        select s.posting_key from _jt_facts_sig as s
        anti join {_STATE} as st on st.posting_key = s.posting_key and st.signature = s.signature"""
    )
    con.execute(
        f"""create or replace temp table _jt_facts_removed as
        select st.posting_key from {_STATE} as st
        anti join _jt_facts_sig as s on s.posting_key = st.posting_key"""
    )
    con.execute(f"create or replace temp table _jt_facts_moved as {_read(sql_dir, 'moved_groups')}")
    changed, removed = _count(con, "_jt_facts_changed"), _count(con, "_jt_facts_removed")
    moved = _count(con, "_jt_facts_moved")
    total = _count(con, _TABLE)
    if not changed and not removed and not moved:
        return {"mode": "unchanged", "reason": None, "rows_written": 0}
    if changed + removed > MAX_CHANGED_SHARE * max(total, 1):
        return None
    # a posting whose near-duplicate canonical changed or left follows it into another group
    con.execute(
        """insert into _jt_facts_changed
        select s.posting_key from _jt_facts_sig as s
        where s.near_duplicate_of in (
            select posting_key from _jt_facts_changed union all select posting_key from _jt_facts_removed
        )
        and not exists (select 1 from _jt_facts_changed as c where c.posting_key = s.posting_key)"""
    )
    # their new groups (a run of just them and the canonicals they need), then every posting of the groups
    # they left or joined: whole groups go through the model's window sessions
    _run_subset(con, model_sql, tables, "_jt_facts_changed")
    con.execute(
        f"""create or replace temp table _jt_facts_new_groups as
        select * from ({_groups_sql(sql_dir, "_jt_facts_out")})
        where posting_key in (select posting_key from _jt_facts_changed)"""
    )
    con.execute(
        f"""create or replace temp table _jt_facts_groups as
        select dedup_group from {_STATE}
        where posting_key in (
            select posting_key from _jt_facts_changed union all select posting_key from _jt_facts_removed
        )
        union
        select dedup_group from _jt_facts_new_groups
        union
        select dedup_group from _jt_facts_moved"""
    )
    con.execute(
        f"""create or replace temp table _jt_facts_rows as
        select posting_key from _jt_facts_changed
        union
        select st.posting_key from {_STATE} as st
        semi join _jt_facts_groups as g on g.dedup_group = st.dedup_group
        where st.posting_key in (select posting_key from _jt_facts_sig)"""
    )
    rows = _count(con, "_jt_facts_rows")
    if rows + removed > MAX_CHANGED_SHARE * max(total, 1):
        return None
    _run_subset(con, model_sql, tables, "_jt_facts_rows")
    gone = "select posting_key from _jt_facts_rows union all select posting_key from _jt_facts_removed"
    # the rows deleted and inserted stay for this build's additive aggregates (.additive)
    con.execute(
        f"create or replace temp table {additive.DELETED} as select * from {_TABLE} where posting_key in ({gone})"
    )
    con.execute(f"delete from {_TABLE} where posting_key in ({gone})")
    con.execute(
        f"create or replace temp table {additive.INSERTED} as select * from _jt_facts_out "
        "where posting_key in (select posting_key from _jt_facts_rows)"
    )
    con.execute(f"insert into {_TABLE} by name select * from {additive.INSERTED}")
    con.execute(f"delete from {_STATE} where posting_key in ({gone})")
    state = _state_sql(sql_dir, "_jt_facts_out", "f.posting_key in (select posting_key from _jt_facts_rows)")
    con.execute(f"insert into {_STATE} by name {state}")
    if not (_count(con, _TABLE) == _count(con, "_jt_facts_sig") == _count(con, _STATE)):
        # cannot happen when the signatures and the model agree on which postings have a row: rebuild
        log.warning("int_posting_facts: the incremental refresh left the table out of step; rebuilding")
        return None
    return {
        "mode": "incremental",
        "reason": None,
        "rows_written": rows,
        "changed": changed,
        "removed": removed,
        "groups_moved": moved,
    }


def _run_subset(
    con: duckdb.DuckDBPyConnection, model_sql: str, tables: Mapping[str, str], keys_table: str
) -> None:
    """Run the model on the postings of ``keys_table`` and, transitively, the near-duplicate canonicals
    they read (so every posting of the run sees the canonical the full build would give it) into
    ``_jt_facts_out``: its per-posting inputs (raw, normalised, lifecycle) are those postings' rows."""
    con.execute(
        f"create or replace temp table _jt_facts_run as select distinct posting_key from {keys_table}"
    )
    while True:
        ((added,),) = con.execute(
            """insert into _jt_facts_run
            select distinct s.near_duplicate_of from _jt_facts_sig as s
            where s.posting_key in (select posting_key from _jt_facts_run)
                and s.near_duplicate_of in (select posting_key from _jt_facts_sig)
                and s.near_duplicate_of not in (select posting_key from _jt_facts_run)"""
        ).fetchall()
        if not added:
            break
    for name, temp in ((_STG, "_jt_facts_stg"), (_LIFECYCLE, "_jt_facts_lifecycle")):
        con.execute(
            f"create or replace temp table {temp} as select * from {tables.get(name, name)} "
            "where posting_key in (select posting_key from _jt_facts_run)"
        )
    # every normalised row of those postings (the model chooses among them): not a scan of all the rows
    con.execute(
        f"create or replace temp table _jt_facts_normalised as select * from {_NORMALISED} "
        "where posting_key in (select posting_key from _jt_facts_run)"
    )
    subset = {
        **tables,
        _STG: "_jt_facts_stg",
        _LIFECYCLE: "_jt_facts_lifecycle",
        _NORMALISED: "_jt_facts_normalised",
    }
    con.execute(f"create or replace temp table _jt_facts_out as {_subst(model_sql, subset)}")


def _write_meta(con: duckdb.DuckDBPyConnection, sql_dir: Path, key: str, result: dict[str, Any]) -> None:
    if result["mode"] == "full":
        con.execute(f"delete from {_STATE}")
        con.execute(f"insert into {_STATE} by name {_state_sql(sql_dir, _TABLE, 'true')}")
    con.execute(f"delete from {_META}")
    rows = _count(con, _TABLE)
    if not (rows == _count(con, "_jt_facts_sig") == _count(con, _STATE)):
        # the signatures do not name the table's postings: no state, so the next build is full again
        log.warning("int_posting_facts: signatures and table disagree; the next build rebuilds it in full")
        return
    con.execute(
        f"insert into {_META} (global_key, facts_rows, mode, reason, rows_written) values (?, ?, ?, ?, ?)",
        [key, rows, result["mode"], result["reason"], result["rows_written"] or 0],
    )


# ----------------------------------------------------------------------------- helpers


def _global_key(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> str:
    """Everything every row may depend on: settings, AI skills, the model SQL, this code (and that of the
    additive aggregates, refreshed from this one's delta), DuckDB."""
    h = hashlib.sha256()
    h.update(f"{duckdb.__version__}\0{STATE_VERSION}\0".encode())
    h.update(Path(__file__).read_bytes() + b"\0" + Path(additive.__file__).read_bytes() + b"\0")
    settings = con.execute("select * exclude (run_id, built_at) from staging.stg_settings").fetchall()
    skills = con.execute(
        "select list(skill_id order by skill_id) from intermediate.int_skills where is_ai_skill"
    ).fetchall()
    h.update(repr((settings, skills)).encode() + b"\0")
    for folder in ("staging", "intermediate", "facts"):
        for path in sorted((sql_dir / folder).glob("*.sql")):
            h.update(f"{folder}/{path.name}".encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _state_tables_exist(con: duckdb.DuckDBPyConnection) -> bool:
    ((n,),) = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() and schema_name = 'ops' "
        "and table_name in ('posting_facts_state', 'posting_facts_meta')"
    ).fetchall()
    return int(n) == 2


def _read(sql_dir: Path, name: str) -> str:
    return (sql_dir / "facts" / f"{name}.sql").read_text().strip().rstrip(";")


def _groups_sql(sql_dir: Path, facts: str) -> str:
    return _read(sql_dir, "groups").replace("$facts", facts)


def _state_sql(sql_dir: Path, facts: str, where: str) -> str:
    """The state rows of the postings of ``facts`` that ``where`` keeps (over ``f``; whole groups only)."""
    sql = _read(sql_dir, "state").replace("$groups", _groups_sql(sql_dir, facts))
    return sql.replace("$facts", facts).replace("$filter", where)


def _subst(sql: str, tables: Mapping[str, str]) -> str:
    for name, table in tables.items():
        sql = re.sub(rf"\b{re.escape(name)}\b", table, sql)
    return sql


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((n,),) = con.execute(f"select count(*) from {table}").fetchall()
    return int(n)


__all__: Sequence[str] = ("FACTS_MODEL", "MAX_CHANGED_SHARE", "STATE_VERSION", "handles", "refresh")
