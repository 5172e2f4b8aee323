"""Incremental refresh of additive aggregates of ``intermediate.int_posting_stable_facts``.

A model whose header says ``-- additive measures: a, b, ...`` is a ``group by`` over the facts table whose
measures are counts or sums of its rows (the first one ``count(*)``: a group it counts no row of is
gone). When this build refreshed the facts table incrementally, such a model is not recomputed over every
posting: it is the stored table, plus the model over the rows the refresh inserted, minus the model over
the rows it deleted (:mod:`.facts` keeps both sets for this build). The model may read, besides the
facts, only tables whose rows never change once written (``normalised.postings`` is append-only per
posting version and taxonomy), so the deleted rows' share is what they added when they were inserted.

Every other case — the facts rebuilt in full, a table not built yet, a measure that would go negative —
runs the model in full. The facts' global key hashes every intermediate model, so a change of this
model's SQL rebuilds the facts, and then this table, in full.
"""

from __future__ import annotations

import logging
import re

import duckdb

log = logging.getLogger(__name__)

_MEASURES = re.compile(r"^--\s*additive measures:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
#: The facts rows this build's refresh deleted and inserted (:mod:`.facts`), and the table they replace.
DELETED = "_jt_facts_delta_deleted"
INSERTED = "_jt_facts_delta_inserted"
_FACTS = "intermediate.int_posting_stable_facts"


def measures(sql: str) -> list[str]:
    """The measures a model's header declares additive (none: not an additive model)."""
    match = _MEASURES.search(sql)
    if not match:
        return []
    return [name.strip() for name in match.group(1).split("(")[0].split(",") if name.strip()]


def refresh(
    con: duckdb.DuckDBPyConnection, qualified: str, model_sql: str, facts_mode: str | None
) -> str | None:
    """Bring the additive model ``qualified`` up to date from this build's facts delta; returns the mode
    (``incremental`` or ``unchanged``), or None when the caller must build it in full."""
    if facts_mode not in ("incremental", "unchanged") or not _exists(con, qualified):
        return None
    if facts_mode == "unchanged":
        return "unchanged"
    if not (_exists(con, DELETED, temp=True) and _exists(con, INSERTED, temp=True)):
        return None
    names = measures(model_sql)
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = current_database() "
        "and schema_name = ? and table_name = ? order by column_index",
        qualified.split("."),
    ).fetchall()
    if not names or not set(names) <= {c for c, _ in columns}:
        return None
    keys = [f'"{c}"' for c, _ in columns if c not in names]
    types = dict(columns)
    plus = _subst(model_sql, INSERTED)
    minus = _subst(model_sql, DELETED)
    measure_list = ", ".join(f'"{m}"' for m in names)
    signed = ", ".join(f'-"{m}" as "{m}"' for m in names)
    summed = ", ".join(f'cast(sum("{m}") as {types[m]}) as "{m}"' for m in names)
    key_list = ", ".join(keys)
    con.execute(
        f"""create or replace temp table _jt_additive as
        select {key_list}, {summed}
        from (
            select {key_list}, {measure_list} from {qualified}
            union all by name
            select * from ({plus}
)
            union all by name
            select * exclude ({measure_list}), {signed} from ({minus}
)
        )
        group by all"""
    )
    # a negative count, or a group with no row left but other counts: not a delta of this table's rows
    negative = " or ".join(f'"{m}" < 0' for m in names)
    emptied = " or ".join(f'"{m}" <> 0' for m in names[1:]) or "false"
    ((bad,),) = con.execute(
        f'select count(*) from _jt_additive where {negative} or ("{names[0]}" = 0 and ({emptied}))'
    ).fetchall()
    if bad:
        # cannot happen while the stored table and the facts were written together: rebuild it
        log.warning(
            "%s: the increment does not add up with the stored table; rebuilding it in full", qualified
        )
        con.execute("drop table _jt_additive")
        return None
    columns_sql = ", ".join(f'"{c}"' for c, _ in columns)
    # a new table rather than delete + insert: an incremental build's commit does not vacuum, and every
    # row is replaced. A group the increment took every row from is gone, as in the full model
    con.execute(
        f"create or replace table {qualified} as "
        f'select {columns_sql} from _jt_additive where "{names[0]}" > 0'
    )
    con.execute("drop table _jt_additive")
    return "incremental"


def drop_delta(con: duckdb.DuckDBPyConnection) -> None:
    """Free the facts delta of this build (after the layers are built)."""
    for name in (DELETED, INSERTED):
        con.execute(f"drop table if exists temp.main.{name}")


def _subst(sql: str, table: str) -> str:
    return re.sub(rf"\b{re.escape(_FACTS)}\b", table, sql)


def _exists(con: duckdb.DuckDBPyConnection, qualified: str, *, temp: bool = False) -> bool:
    schema, _, name = qualified.rpartition(".")
    if temp:
        sql = "select count(*) from duckdb_tables() where temporary and table_name = ?"
        params = [name]
    else:
        sql = (
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = ? and table_name = ?"
        )
        params = [schema, name]
    ((n,),) = con.execute(sql, params).fetchall()
    return int(n) == 1


__all__ = ["DELETED", "INSERTED", "drop_delta", "measures", "refresh"]
