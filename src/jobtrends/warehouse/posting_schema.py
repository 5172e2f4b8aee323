"""The raw posting columns, derived from the posting model (:class:`ingest.models.Posting`).

The model is the one definition of what a posting holds; this module maps each field's Python type to the
DuckDB type ``raw.postings`` stores it as. ``sql/ddl/010_raw.sql`` still spells the table out (with the
loader's own columns, constraints and comments); ``tests/unit/jobtrends/test_posting_schema.py`` fails when the
two disagree.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any, Literal

from ingest.models import Posting

#: Python type → DuckDB column type (a ``Literal`` of strings is stored as varchar).
_DUCKDB_TYPES: dict[Any, str] = {
    str: "varchar",
    bool: "boolean",
    float: "double",
    datetime: "timestamptz",
    dict: "json",
}
#: ``board`` sits right after the identity in ``raw.postings`` (where the table first had it); the content
#: hash serialises the fields in this column order, so the order cannot follow the model's declaration.
_LEADING = ("source", "source_id", "board")


def duckdb_type(annotation: Any) -> str:
    """The DuckDB type of one model field's annotation (``X | None`` is stored as ``X``, nullable)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        if len(args) != 1:
            raise TypeError(f"no DuckDB type for the union {annotation!r}")
        return duckdb_type(args[0])
    if typing.get_origin(annotation) is Literal:
        if not all(isinstance(a, str) for a in args):
            raise TypeError(f"no DuckDB type for {annotation!r}: only string literals are mapped")
        return "varchar"
    base = typing.get_origin(annotation) or annotation
    if base not in _DUCKDB_TYPES:
        raise TypeError(f"no DuckDB type for {annotation!r}: add it to _DUCKDB_TYPES")
    return _DUCKDB_TYPES[base]


def raw_posting_types() -> dict[str, str]:
    """Every :class:`Posting` field → its DuckDB type, in ``raw.postings`` column order."""
    hints = typing.get_type_hints(Posting)
    names = [f.name for f in dataclasses.fields(Posting)]
    ordered = [*_LEADING, *(n for n in names if n not in _LEADING)]
    return {name: duckdb_type(hints[name]) for name in ordered}
