"""File dumps (CSV, JSON, JSONL, Parquet) with a column mapping; bad rows become record errors."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.base import ParseContext, SourceSpec
from ingest.sources import file

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads" / "file"


def ctx(**options: Any) -> ParseContext:
    return ParseContext(
        fetched_at=datetime(2026, 10, 20, tzinfo=UTC), raw_ref="landing/dump", options=options
    )


MAPPING = {
    "title": "Job Title",
    "company": "Employer",
    "location_text": "City",
    "posted_at": "Posted",
    "pay_min": "Min",
    "pay_max": "Max",
    "pay_currency": "Currency",
    "description": "Description",
}


def test_csv_with_mapping_and_row_without_title():
    result = file.parse(
        (PAYLOADS / "postings.csv").read_bytes(),
        ctx(format="csv", mapping=MAPPING, id_column="id", source_name="kaggle"),
    )
    assert [p.source_id for p in result.postings] == ["a1", "a3"]
    first, third = result.postings
    assert first.source == "kaggle" and first.company == "Example Co" and first.description == "Model churn."
    assert (first.pay_min, first.pay_max, first.pay_currency) == (120000.0, 150000.0, "USD")
    assert first.posted_at == datetime(2026, 10, 1, tzinfo=UTC) and first.posted_at_precision == "day"
    assert (
        third.company == "Café AI"
        and third.description == "Text & speech"
        and third.posted_at_precision == "second"
    )
    assert (
        len(result.errors) == 1
        and result.errors[0].reason == "row has no title"
        and result.errors[0].pointer == "row/1"
    )
    assert first.raw_ref == "landing/dump#row/0"


def test_jsonl_bad_line_is_one_error():
    result = file.parse((PAYLOADS / "postings.jsonl").read_bytes(), ctx(format="jsonl", id_column="id"))
    assert [p.title for p in result.postings] == ["ML Engineer", "Data Engineer"]
    assert result.postings[1].remote is True and result.postings[1].source_id == "3"
    assert len(result.errors) == 1 and result.errors[0].pointer == "line/2"


def test_truncated_json_keeps_complete_records():
    result = file.parse((PAYLOADS / "truncated.json").read_bytes(), ctx(format="json", id_column="id"))
    assert [p.source_id for p in result.postings] == ["t1", "t2"]
    assert (
        len(result.errors) == 1
        and "truncated" in result.errors[0].reason
        and result.errors[0].pointer == "/2"
    )


def test_parquet_and_row_hash_ids():
    table = pa.table({"title": ["AI Engineer", None], "company": ["X", "Y"], "pay_min": [100.5, None]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    result = file.parse(buf.getvalue(), ctx(format="parquet"))
    assert len(result.postings) == 1 and len(result.errors) == 1
    posting = result.postings[0]
    assert posting.source == "file" and posting.source_id.startswith("row:") and posting.pay_min == 100.5
    again = file.parse(buf.getvalue(), ctx(format="parquet")).postings[0]
    assert again.source_id == posting.source_id


def test_wrong_mapping_is_one_clear_error():
    result = file.parse(
        (PAYLOADS / "postings.csv").read_bytes(), ctx(format="csv", mapping={"title": "Nope"})
    )
    assert not result.postings and len(result.errors) == 1 and "'Nope'" in result.errors[0].reason
    result = file.parse(b"x", ctx(mapping={"salary": "x"}))
    assert "unknown posting fields: salary" in result.errors[0].reason


def test_unreadable_inputs_never_raise():
    assert file.parse(b"\x00\x01", ctx(format="parquet")).errors
    assert file.parse(b"{}", ctx(format="json")).errors
    assert file.parse(b"a,b\n1,2\n", ctx(format="xml")).errors


def test_fetch_reads_local_file_and_options(tmp_path: Path):
    path = tmp_path / "dump.csv"
    path.write_bytes((PAYLOADS / "postings.csv").read_bytes())
    spec = SourceSpec(kind="file", name="f", params={"path": str(path), "mapping": MAPPING, "format": "csv"})
    items = file.fetch(None, spec)  # type: ignore[arg-type]
    assert items[0].ext == "csv" and items[0].url.startswith("file://")
    assert file.parse_options(spec) == {"mapping": MAPPING, "format": "csv"}
