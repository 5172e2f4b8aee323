"""ECB euro foreign exchange reference rates: reference data, not postings.

``fetch`` downloads the ECB's published daily history (``eurofxref-hist.zip``, holding
``eurofxref-hist.csv``: ``Date,USD,JPY,...``, ``N/A`` where a currency was not published, a trailing
empty column) through the polite client, conditionally (an unchanged file costs a 304). The payload is
landed unchanged like every other source's; the loader reads landed ``fx`` files into ``ref.fx_rates``
(see :func:`transform.fx.parse_ecb_csv`) instead of the postings tables. ``parse`` checks the payload and
says so in its note: it never yields postings. ``params.url`` overrides the address (a mirror).
"""

from __future__ import annotations

import csv

from ingest.base import Cursor, Fetched, ParseContext, ParseResult, SourceSpec, keep_cursor, no_parse_options
from ingest.http import HttpClient
from ingest.sources._common import fetched, payload_error
from transform.fx import ECB_HIST_URL, parse_ecb_csv, read_ecb_payload

KIND = "fx"
NEEDS_BOARD = False
REFERENCE_DATA = True
BOARD_PATTERN = None
BOARD_RULE = None
parse_options = no_parse_options
next_cursor = keep_cursor
"""Payloads of this kind are reference tables (loaded into ``ref.fx_rates``), not postings."""


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
