"""Local dumps: CSV, JSON (array), JSONL and Parquet with a column mapping.

``ctx.options``: ``format`` (csv | json | jsonl | parquet; default from the file extension),
``mapping`` ``{canonical_field: column}`` (canonical field names are used as-is when unmapped),
``source_name`` (the postings' ``source``; default ``file``), ``id_column`` (else a hash of the row),
``records_path`` (dotted path to the list inside a JSON object), ``delimiter``, ``encoding``,
``keep_unmapped`` (copy other columns into ``extra``), ``null_values`` (strings meaning "missing",
e.g. ``["-1"]``). List values (several locations) are joined with ``; ``. Rows without a title become record errors.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, RecordError, SourceSpec, keep_cursor
from ingest.html import clean_line, html_to_text
from ingest.http import FetchError, HttpClient
from ingest.models import POSTING_FIELDS
from ingest.sources._common import (
    as_id,
    build,
    load_json,
    number,
    parse_datetime,
    period_from,
    record_error,
    text,
)

KIND = "file"
NEEDS_BOARD = False
BOARD_PATTERN = None
BOARD_RULE = None
REFERENCE_DATA = False
COUNTS_WITHOUT_TEXT = True  # rendered text only fills the mapped description
next_cursor = keep_cursor
FORMATS = ("csv", "json", "jsonl", "parquet")
OPTION_KEYS = (
    "format",
    "mapping",
    "source_name",
    "id_column",
    "records_path",
    "delimiter",
    "encoding",
    "keep_unmapped",
)
_FIELDS = frozenset(POSTING_FIELDS) - {"raw_ref", "fetched_at", "extra", "source"}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def parse_options(spec: SourceSpec) -> dict[str, Any]:
    """The parser options stored with the landed file (so the loader parses it the same way)."""
    return {k: spec.params[k] for k in OPTION_KEYS if k in spec.params}


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    from datetime import UTC, datetime

    paths = spec.params.get("paths") or ([spec.params["path"]] if spec.params.get("path") else [])
    if not paths:
        raise FetchError("config", f"file source {spec.name!r} needs params.path (or params.paths)")
    out = []
    for raw in paths:
        path = Path(str(raw)).expanduser()
        try:
            payload = path.read_bytes()
        except OSError as exc:
            raise FetchError("config", f"cannot read {path}: {exc.strerror or exc}") from None
        fmt = str(spec.params.get("format") or _format_from_name(path.name) or "bin")
        out.append(
            Fetched(
                payload=payload,
                url=path.resolve().as_uri(),
                fetched_at=client.now() if client is not None else datetime.now(UTC),
                ext=fmt,
                complete_listing=bool(spec.params.get("complete_listing", False)),
            )
        )
    return out


def _format_from_name(name: str) -> str | None:
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    return {
        "csv": "csv",
        "tsv": "csv",
        "json": "json",
        "jsonl": "jsonl",
        "ndjson": "jsonl",
        "parquet": "parquet",
    }.get(suffix)


def _decode(payload: bytes, encoding: str | None) -> tuple[str, str | None]:
    if encoding:
        return payload.decode(encoding, errors="replace"), None
    try:
        return payload.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace"), "file is not UTF-8; decoded as cp1252"


def _iter_json_array(s: str) -> Iterator[tuple[str, Any] | RecordError]:
    """Elements of a JSON array one by one, so a truncated file still yields its complete records."""
    dec = json.JSONDecoder()
    i = len(s) - len(s.lstrip())
    if s[i : i + 1] != "[":
        yield RecordError(
            reason="JSON file is not an array (set options.records_path)", pointer="", record=s[:200]
        )
        return
    i += 1
    n = 0
    while True:
        while i < len(s) and s[i] in " \t\r\n,":
            i += 1
        if i >= len(s):
            yield RecordError(
                reason=f"truncated JSON: the array is not closed ({n} records read before the end)",
                pointer=f"/{n}",
                record=s[-200:],
            )
            return
        if s[i] == "]":
            return
        try:
            value, end = dec.raw_decode(s, i)
        except ValueError as exc:
            yield RecordError(
                reason=f"invalid or truncated JSON at record {n}: {exc}; the rest of the file was not read",
                pointer=f"/{n}",
                record=s[i : i + 200],
            )
            return
        yield f"/{n}", value
        n, i = n + 1, end


def _rows(
    payload: bytes, fmt: str, options: dict[str, Any], result: ParseResult
) -> Iterator[tuple[str, Any]]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(io.BytesIO(payload))
        except Exception as exc:  # pyarrow raises several types for corrupt files
            result.errors.append(RecordError(reason=f"unreadable Parquet file: {exc}", pointer=""))
            return
        for i, row in enumerate(table.to_pylist()):
            yield f"row/{i}", row
        return
    s, note = _decode(payload, options.get("encoding"))
    if note:
        result.note = note
    if fmt == "csv":
        delimiter = options.get("delimiter") or ("\t" if s[:4096].count("\t") > s[:4096].count(",") else ",")
        reader = csv.DictReader(io.StringIO(s, newline=""), delimiter=delimiter)
        try:
            for i, row in enumerate(reader):
                yield f"row/{i}", row
        except csv.Error as exc:
            result.errors.append(
                RecordError(reason=f"CSV error near line {reader.line_num}: {exc}", pointer="")
            )
    elif fmt == "jsonl":
        for n, line in enumerate(s.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield f"line/{n}", json.loads(line)
            except ValueError as exc:
                result.errors.append(
                    RecordError(
                        reason=f"invalid JSON on line {n}: {exc}", pointer=f"line/{n}", record=line[:4000]
                    )
                )
    elif fmt == "json":
        path = options.get("records_path")
        if path:
            data, err = load_json(payload)
            if err:
                result.errors.append(err)
                return
            for key in str(path).split("."):
                data = data.get(key) if isinstance(data, dict) else None
            if not isinstance(data, list):
                result.errors.append(
                    RecordError(reason=f"records_path {path!r} is not a list in the file", pointer="")
                )
                return
            for i, row in enumerate(data):
                yield f"/{str(path).replace('.', '/')}/{i}", row
            return
        for item in _iter_json_array(s):
            if isinstance(item, RecordError):
                result.errors.append(item)
            else:
                yield item
    else:
        result.errors.append(
            RecordError(reason=f"unknown file format {fmt!r} (use one of {', '.join(FORMATS)})", pointer="")
        )


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    s = (text(value) or "").lower()
    return True if s in _TRUE else False if s in _FALSE else None


def _convert(field: str, value: Any, nulls: frozenset[str] = frozenset()) -> Any:
    if isinstance(value, list | tuple) and field != "extra":
        value = "; ".join(str(v).strip() for v in value if v is not None and str(v).strip()) or None
    if value is None or (isinstance(value, str) and (not value.strip() or value.strip() in nulls)):
        return None
    if field in ("pay_min", "pay_max"):
        return number(value)
    if field == "posted_at":
        return parse_datetime(value)[0]
    if field in ("remote", "pay_is_estimate"):
        return _bool(value)
    if field == "description":
        return html_to_text(text(value))
    if field == "pay_period":
        return period_from(value)
    if field == "work_mode":
        s = (text(value) or "").lower()
        return s if s in ("remote", "hybrid", "onsite") else None
    if field in ("title", "company", "location_text"):
        return clean_line(value)
    return text(value)


def _row_id(row: Any) -> str:
    blob = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return "row:" + hashlib.sha1(blob.encode("utf-8", "replace")).hexdigest()[:20]


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    options = dict(ctx.options or {})
    fmt = str(options.get("format") or _format_from_name(ctx.raw_ref) or "").lower()
    raw_mapping = options.get("mapping")
    # "identity" (the default of `jobtrends import`): columns already carry the canonical names
    mapping: dict[str, str] = {} if raw_mapping in (None, "identity") else dict(raw_mapping)
    unknown = sorted(set(mapping) - _FIELDS)
    if unknown:
        return ParseResult(
            errors=[
                RecordError(reason=f"mapping names unknown posting fields: {', '.join(unknown)}", pointer="")
            ]
        )
    source = str(options.get("source_name") or KIND)
    id_column = options.get("id_column") or mapping.get("source_id", "source_id")
    nulls = frozenset(str(v) for v in options.get("null_values") or [])
    result = ParseResult()
    checked_columns = False
    for pointer, row in _rows(payload, fmt, options, result):
        if not isinstance(row, dict):
            result.errors.append(record_error("record is not an object/row", pointer, row))
            continue
        if not checked_columns:
            checked_columns = True
            title_col = mapping.get("title", "title")
            if title_col not in row:
                result.errors.append(
                    RecordError(
                        reason=f"title column {title_col!r} not in the file (columns: {', '.join(map(str, row))[:300]})",
                        pointer="",
                    )
                )
                return result
        fields: dict[str, Any] = {}
        for name in _FIELDS - {"source_id"}:
            column = mapping.get(name, name)
            if column in row:
                value = _convert(name, row[column], nulls)
                if value is not None:
                    fields[name] = value
        if not fields.get("title"):
            result.errors.append(record_error("row has no title", pointer, row))
            continue
        if "posted_at" in fields:
            column = mapping.get("posted_at", "posted_at")
            fields["posted_at_precision"] = (
                fields.get("posted_at_precision") or parse_datetime(row[column])[1]
            )
        else:
            fields.pop("posted_at_precision", None)
        source_id = as_id(row.get(id_column)) if id_column else None
        extra: dict[str, Any] = {}
        if options.get("keep_unmapped"):
            used = {mapping.get(f, f) for f in _FIELDS} | {id_column}
            extra = {str(k): v for k, v in row.items() if k not in used and v not in (None, "")}
        # a row names its own source only in an identity dump or through an explicit mapping
        # (elsewhere a "source" column means something else, e.g. Simplify's listing origin)
        source_column = "source" if raw_mapping in (None, "identity") else mapping.get("source")
        row_source = (text(row.get(source_column)) if source_column else None) or source
        result.postings.append(
            build(ctx, pointer, source=row_source, source_id=source_id or _row_id(row), extra=extra, **fields)
        )
    if not result.postings and not result.errors:
        result.note = "file has no rows"
    return result
