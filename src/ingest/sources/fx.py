"""ECB euro foreign exchange reference rates: reference data, not postings.

``fetch`` downloads the ECB's published daily history (``eurofxref-hist.zip``, holding
``eurofxref-hist.csv``: ``Date,USD,JPY,...``, ``N/A`` where a currency was not published, a trailing
empty column) through the polite client, conditionally (an unchanged file costs a 304). The payload is
landed unchanged like every other source's; the loader reads landed ``fx`` files into ``ref.fx_rates``
(with :func:`parse_ecb_csv`, pure like :func:`read_ecb_payload`) instead of the postings tables. ``parse`` checks the payload and
says so in its note: it never yields postings. ``params.url`` overrides the address (a mirror).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.http import HttpClient
from ingest.sources._common import fetched, payload_error

KIND = "fx"
NEEDS_BOARD = False
REFERENCE_DATA = True
COUNTS_WITHOUT_TEXT = True  # reference data: no text
BOARD_PATTERN = None
BOARD_RULE = None
parse_options = no_parse_options
next_cursor = keep_cursor
"""Payloads of this kind are reference tables (loaded into ``ref.fx_rates``), not postings."""
ECB_HIST_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"


def fetch(client: HttpClient, spec: SourceSpec, cursor: Cursor | None = None) -> list[Fetched]:
    url = str(spec.params.get("url") or ECB_HIST_URL)
    resp = client.get(url, conditional=True)
    ext = "csv" if url.lower().endswith(".csv") else "zip"
    return [fetched(resp, ext=ext)]


def parse(payload: bytes, ctx: ParseContext) -> ParseResult:
    """No postings; a note with the rates the payload holds, or a payload error when it is unreadable."""
    try:
        rows = parse_ecb_csv(read_ecb_payload(payload))
    except (ValueError, csv.Error) as exc:  # csv.Error: a bare CR inside a field, found by the fuzz drill
        return payload_error(f"unreadable ECB reference-rate history: {exc}", payload[:200])
    days = sorted({r[0] for r in rows})
    currencies = {r[1] for r in rows}
    return ParseResult(
        note=f"reference data: {len(rows):,} ECB rates, {len(currencies)} currencies, "
        f"{days[0]} … {days[-1]} (loaded into ref.fx_rates, not postings)"
    )


def read_ecb_payload(payload: bytes) -> str:
    """The CSV text of an ECB history payload: the zip the ECB publishes, or its CSV already unpacked."""
    if payload[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
                if not names:
                    raise ValueError(f"ECB zip holds no CSV file (members: {', '.join(zf.namelist())[:200]})")
                return zf.read(names[0]).decode("utf-8-sig")
        except zipfile.BadZipFile as exc:
            raise ValueError(f"unreadable ECB zip: {exc}") from None
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"ECB payload is neither a zip nor UTF-8 CSV: {exc}") from None


def parse_ecb_csv(text: str) -> list[tuple[str, str, float]]:
    """``(date, currency, units_per_eur)`` for every published cell of ``eurofxref-hist.csv``
    (header ``Date,USD,JPY,...``; ``N/A`` and empty cells, like the trailing empty column, are skipped).

    Raises ``ValueError`` when the text is not in that format (a clear message, never a partial table).
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or header[0].strip() != "Date":
        raise ValueError(f"not an ECB reference-rate history: header starts {str(header)[:80]!r}")
    currencies = [h.strip().upper() for h in header[1:]]
    if "USD" not in currencies:
        raise ValueError("ECB history has no USD column: cannot cross to USD")
    out: list[tuple[str, str, float]] = []
    for n, row in enumerate(reader, start=2):
        if not row or not row[0].strip():
            continue
        day = row[0].strip()
        if len(day) != 10 or day[4] != "-" or day[7] != "-":
            raise ValueError(f"line {n}: date {day!r} is not YYYY-MM-DD")
        for cur, cell in zip(currencies, row[1:], strict=False):
            cell = cell.strip()
            if not cur or not cell or cell.upper() == "N/A":
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(f"line {n}: {cur} value {cell!r} is not a number") from None
            if value > 0 and math.isfinite(value):
                out.append((day, cur, value))
    if not out:
        raise ValueError("ECB history has no rates")
    return out
