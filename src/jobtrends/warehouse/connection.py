"""Opening the warehouse: schema names, errors, :func:`connect`, Arrow writes and transactions
(:func:`transaction`, the one place that begins, commits and rolls back)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobtrends.errors import BusyError

LAYERS: tuple[str, ...] = ("staging", "intermediate", "marts")
BUILD_SCHEMA = "marts_next"
#: DuckDB settings of the ``jobtrends query`` connection, fixed when it opens: no file or network access
#: beyond the warehouse itself, no extensions, and ``lock_configuration`` so no statement can undo them.
SANDBOX_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "lock_configuration": True,
}
#: The marts of the last rejected build, kept to inspect (never read by the pipeline).
REJECTED_SCHEMA = "marts_rejected"


class WarehouseError(RuntimeError):
    """A warehouse problem with a message meant for the user."""


class WarehouseOpenInProcessError(WarehouseError):
    """The file is already open in this process with other settings (DuckDB shares one instance)."""


class WarehouseBusyError(WarehouseError, BusyError):
    """Another process holds the DuckDB write lock."""


@contextlib.contextmanager
def connect(
    path: Path, *, read_only: bool = False, sandbox: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a read-only connection never creates the file, a writer's checkpoints do not
    vacuum (:func:`~jobtrends.warehouse.models.vacuum_on_commit`). ``sandbox`` (implies read-only)
    applies :data:`SANDBOX_CONFIG` at connect time: the warehouse opens, nothing else on disk does."""
    path = Path(path)
    read_only = read_only or sandbox
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `jobtrends run` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=dict(SANDBOX_CONFIG) if sandbox else {})
    except duckdb.ConnectionException as exc:
        # DuckDB shares one database instance per file within a process, with one configuration
        raise WarehouseOpenInProcessError(
            f"the warehouse {path} is already open in this process with other settings; close it first"
        ) from exc
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusyError(
                f"the warehouse {path} is in use by another process (DuckDB allows one writer); "
                "wait for the running pipeline to finish, or read the Parquet exports"
            ) from exc
        raise
    try:
        if not read_only:
            # merging row groups with deleted rows is the build's call (models.needs_vacuum): left to
            # DuckDB, the first checkpoint of the next writer (tomorrow's load) vacuumed the 1M-row facts
            # table an incremental build had just thinned, 1.4-1.6 s every night
            con.execute("set max_vacuum_tasks = 0")
        yield con
    finally:
        con.close()


def set_memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> None:
    """Bound DuckDB's buffers on this connection's database (``limit`` like ``"2.5GB"``; None or empty
    keeps DuckDB's default, 80% of RAM)."""
    if limit:
        con.execute("set memory_limit = $limit", {"limit": limit})


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables: Any) -> Iterator[None]:
    """Arrow tables (or record batch readers) readable by name inside the block, unregistered after it.
    When the block fails, an error of the unregister is dropped, as in :func:`then_execute`: the block's
    failure may have aborted the transaction, and its error is the one to report."""
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield
    except BaseException:
        for name in tables:
            with contextlib.suppress(duckdb.Error):
                con.unregister(name)
        raise
    for name in tables:
        con.unregister(name)


@contextlib.contextmanager
def bounded_memory(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """Bound DuckDB's buffers to ``limit`` inside the block, then restore the limit of before (as DuckDB
    prints it, to 0.1 of its unit); None or empty leaves the limit as it is."""
    if not limit:
        yield
        return
    setting = "select current_setting('memory_limit')"
    ((previous,),) = con.execute(setting).fetchall()
    con.execute("reset memory_limit")
    ((default,),) = con.execute(setting).fetchall()
    restore = "reset memory_limit" if previous == default else f"set memory_limit = '{previous}'"
    con.execute("set memory_limit = $limit", {"limit": limit})
    with then_execute(con, restore):
        yield


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, *, replace: bool = False) -> int:
    """Append (or replace the contents of) ``table`` with an Arrow table, matching columns by name."""
    if data.num_rows == 0 and not replace:
        return 0
    return _write_arrow(con, table, data, "insert", delete_first=replace)


def upsert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> int:
    """Insert rows of an Arrow table, replacing those with the same primary key."""
    return _write_arrow(con, table, data, "insert or replace")


def _write_arrow(
    con: duckdb.DuckDBPyConnection, table: str, data: pa.Table, verb: str, *, delete_first: bool = False
) -> int:
    with registered(con, _jt_incoming=data):
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        if delete_first:
            con.execute(f"delete from {table}")
        con.execute(f"{verb} into {table} ({cols}) select {cols} from _jt_incoming")
    return data.num_rows


@contextlib.contextmanager
def then_execute(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[None]:
    """Run ``sql`` (a clean-up: restore a setting, drop a scratch table) after the block, also when the
    block fails. Then an error of ``sql`` itself is dropped: the block's failure may have aborted the
    transaction, where every statement fails, and the block's error is the one to report."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute(sql)
        raise
    con.execute(sql)


class Transaction:
    """An open transaction of :func:`transaction`: :meth:`rollback` ends it early (the block then commits
    nothing)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.open = True

    def rollback(self) -> None:
        self.open = False
        self.con.execute("rollback")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[Transaction]:
    """``with transaction(con):`` the block's writes all land (commit at its end) or none do (rollback on
    any exception, which then propagates; a failing rollback does not hide it)."""
    con.execute("begin transaction")
    tx = Transaction(con)
    try:
        yield tx
        if tx.open:
            con.execute("commit")
            tx.open = False
    except BaseException:
        if tx.open:
            tx.open = False
            with contextlib.suppress(Exception):  # the connection may be gone; the first error matters
                con.execute("rollback")
        raise


def restart_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction (one a failed statement aborted) and begin a clean one in its place,
    for the caller that opened it to go on with and commit."""
    con.execute("rollback")
    con.execute("begin transaction")


def in_transaction(con: duckdb.DuckDBPyConnection, fn: Any) -> Any:
    """Run ``fn(con)`` in one :func:`transaction`: all of its writes land, or none."""
    with transaction(con):
        return fn(con)
