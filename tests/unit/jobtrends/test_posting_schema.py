"""The raw posting columns have one definition, the posting model: the DDL must agree with it."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import duckdb
import pytest

from ingest.models import Posting
from jobtrends import warehouse
from jobtrends.settings import PROJECT_ROOT
from jobtrends.warehouse.posting_schema import duckdb_type

#: Columns of raw.postings the loader adds (not posting fields).
LOADER_COLUMNS = {"posting_key", "content_hash", "landing_file", "run_date", "loaded_at", "description_bytes"}


def _ddl_columns() -> list[tuple[str, str]]:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute((PROJECT_ROOT / "sql" / "ddl" / "010_raw.sql").read_text())
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = 'raw' and table_name = 'postings' order by column_index"
    ).fetchall()


def _duckdb_name(sql_type: str) -> str:
    return str(duckdb.connect().execute(f"select typeof(null::{sql_type})").fetchone()[0])


def test_raw_table_ddl_matches_the_posting_model():
    stored = [(name, kind) for name, kind in _ddl_columns() if name not in LOADER_COLUMNS]
    derived = [(name, _duckdb_name(kind)) for name, kind in warehouse.RAW_POSTING_TYPES.items()]
    assert stored == derived  # same fields, same order (the content hash's), same types


def test_every_model_field_is_a_raw_column():
    assert set(warehouse.RAW_POSTING_TYPES) == {f.name for f in fields(Posting)}
    assert not LOADER_COLUMNS & set(warehouse.RAW_POSTING_TYPES)


def test_types_of_the_model_annotations():
    assert duckdb_type(str) == "varchar"
    assert duckdb_type(bool | None) == "boolean"
    assert duckdb_type(float | None) == "double"
    assert warehouse.RAW_POSTING_TYPES["work_mode"] == "varchar"  # a Literal of strings
    assert warehouse.RAW_POSTING_TYPES["posted_at"] == "timestamptz"
    assert warehouse.RAW_POSTING_TYPES["extra"] == "json"


def test_a_field_type_without_a_column_type_is_an_error():
    with pytest.raises(TypeError, match="no DuckDB type"):
        duckdb_type(date | None)
    with pytest.raises(TypeError, match="union"):
        duckdb_type(str | int)
