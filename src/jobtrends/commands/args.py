"""Argument parsing shared by several commands."""

from __future__ import annotations

from collections.abc import Iterable

from jobtrends.errors import UserError

__all__ = ["parse_field_map"]


def parse_field_map(items: Iterable[str]) -> dict[str, str]:
    """Repeated ``--map FIELD=COLUMN`` values → ``{field: column}`` (both trimmed; a later item for
    the same field wins). Raises :class:`UserError` on an item without ``=`` or with an empty side."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise UserError(f"--map takes FIELD=COLUMN, got {item!r}")
        mapping[field] = column
    return mapping
