"""Raw layer suite: what the loader wrote to ``raw.postings`` is complete, unique and sane.

The validation frame (:data:`FRAME_SQL`) selects only the columns the expectations need, plus a few
derived in DuckDB so that large text never reaches pandas (description size is measured as
``strlen`` in bytes, not shipped as a string). ``_rowid`` ties a failing row back to its record for
the quarantine; ``_added_at`` tells the rows of the new batch from the others validated with them.
Keys and lineage columns are structural checks (a failure blocks publishing); the other critical
checks are row-level (failing rows are quarantined and left out of the marts).
"""

from __future__ import annotations

from datetime import UTC, datetime

import great_expectations as gx

from . import critical, warning

SUITE_NAME = "raw"
TABLE = "raw.postings"

MAX_DESCRIPTION_BYTES = 200 * 1024
MAX_EXTRA_BYTES = 1024 * 1024
MAX_TITLE_CHARS = 500
EARLIEST_POSTED_AT = datetime(2000, 1, 1, tzinfo=UTC)
POSTED_AT_COVERAGE = 0.5  # warn when fewer than half of the postings carry a publication date

# A row version's identity (ops.quarantine keeps it) and when it was added (what makes a batch new).
ROW_KEY = ("posting_key", "content_hash")
ADDED_AT = "loaded_at"


def frame_sql(where: str = "true") -> str:
    """The validation frame over the rows ``where`` selects (on alias ``r``; all rows by default).

    ``description_bytes`` is the size the loaders stored: reading the ~3 KB texts to measure them was
    most of the frame's time. Rows stored without it (by older versions) are measured from the text;
    DuckDB reads the texts only in the row groups that hold such a row."""
    stored = _frame_select("r.description_bytes", f"r.description_bytes is not null and ({where})")
    measured = _frame_select("strlen(r.description)", f"r.description_bytes is null and ({where})")
    return f"{stored}\nunion all\n{measured}"


def _frame_select(description_bytes: str, where: str) -> str:
    return f"""
select
    rowid                                      as _rowid,
    posting_key,
    source,
    source_id,
    content_hash,
    landing_file,
    title,
    length(trim(title))                        as title_length,
    {description_bytes} as description_bytes,
    strlen(extra::varchar)                     as extra_bytes,
    posted_at,
    fetched_at,
    fetched_at + interval 1 day                as fetched_at_plus_1d,
    {ADDED_AT}                                 as _added_at
from {TABLE} as r
where {where}
"""


FRAME_SQL = frame_sql()

# Columns written to ops.quarantine next to the check (posting_key, source, landing_file).
QUARANTINE_COLUMNS = ("posting_key", "source", "landing_file")
# The full record stored in the quarantine, with the description cut (its size may be the defect).
RECORD_SQL = f"select rowid as _rowid, * replace (left(description, 4096) as description) from {TABLE}"


def build_suite(*, min_base: int) -> gx.ExpectationSuite:
    e = gx.expectations
    return gx.ExpectationSuite(
        name=SUITE_NAME,
        expectations=[
            # required fields
            critical(e.ExpectColumnValuesToNotBeNull(column="source"), "source is missing", structural=True),
            critical(
                e.ExpectColumnValuesToNotBeNull(column="source_id"), "source_id is missing", structural=True
            ),
            critical(e.ExpectColumnValuesToNotBeNull(column="title"), "title is missing"),
            critical(
                e.ExpectColumnValuesToBeBetween(column="title_length", min_value=1),
                "title is empty or blank",
                variant="non_empty",
            ),
            critical(
                e.ExpectColumnValuesToNotBeNull(column="landing_file"),
                "landing_file is missing",
                structural=True,
            ),
            # grain: one row per (source, source_id, content_hash)
            critical(
                e.ExpectCompoundColumnsToBeUnique(column_list=["source", "source_id", "content_hash"]),
                "duplicate posting version (same source, source_id and content_hash)",
                structural=True,
            ),
            # dates
            critical(e.ExpectColumnValuesToNotBeNull(column="fetched_at"), "fetched_at is missing"),
            critical(
                e.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="fetched_at_plus_1d",
                    column_B="posted_at",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                "posted_at is more than a day after fetched_at",
            ),
            critical(
                e.ExpectColumnValuesToBeBetween(column="posted_at", min_value=EARLIEST_POSTED_AT),
                f"posted_at before {EARLIEST_POSTED_AT:%Y-%m-%d} (unparsed or epoch date)",
            ),
            warning(
                e.ExpectColumnValuesToNotBeNull(column="posted_at", mostly=POSTED_AT_COVERAGE),
                "fewer than half of the postings carry a publication date",
                min_rows=min_base,
            ),
            # sizes
            critical(
                e.ExpectColumnValuesToBeBetween(
                    column="description_bytes", min_value=0, max_value=MAX_DESCRIPTION_BYTES
                ),
                f"description larger than {MAX_DESCRIPTION_BYTES // 1024} KB",
            ),
            warning(
                e.ExpectColumnValuesToBeBetween(column="extra_bytes", min_value=0, max_value=MAX_EXTRA_BYTES),
                f"extra payload larger than {MAX_EXTRA_BYTES // 1024} KB",
            ),
            warning(
                e.ExpectColumnValuesToBeBetween(column="title_length", max_value=MAX_TITLE_CHARS),
                f"title longer than {MAX_TITLE_CHARS} characters",
                variant="max_length",
            ),
        ],
    )
