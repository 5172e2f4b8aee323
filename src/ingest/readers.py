"""Read postings out of folders of recorded payloads with the sources' own parsers.

Three kinds of folder are understood, per file:

- a **landing zone** (``<source>/dt=<date>/<file>`` with ``.meta.json`` sidecars): each payload is parsed
  by the connector and options recorded beside it;
- the **real-data catalogue** of ``../shared/realdata`` (:data:`CATALOGUE`: which connector, options and,
  for captures stored in another shape than the connector reads, a byte adapter);
- any other **dump** (``.csv``, ``.json``, ``.jsonl``, ``.ndjson``, ``.parquet``): the ``file`` connector with
  canonical column names (as ``jobtrends import`` without ``--map``).

Files that yield no postings (reference tables, non-posting CSVs) are reported as skipped with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from ingest.base import ParseContext, ParseResult, RecordError
from ingest.landing import META_SUFFIX, iter_landing
from ingest.models import Posting
from ingest.sources import get

__all__ = ["CATALOGUE", "CatalogueEntry", "ReadResult", "read_postings"]

DUMP_SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_FETCHED_AT = datetime(2000, 1, 1, tzinfo=UTC)  # recorded payloads: the fetch time is unknown


def _hn_items_from_run(payload: bytes) -> bytes:
    """gantryops/hn-jobs-data ``raw_<date>.json`` (``{"jobs": [{id, text, time}]}``) as an HN Algolia
    item with children, the shape the ``hn`` connector reads."""
    data = json.loads(payload)
    jobs = data.get("jobs") if isinstance(data, dict) else None
    children = [
        {"id": j.get("id"), "text": j.get("text"), "created_at_i": j.get("time"), "author": j.get("by")}
        for j in jobs or []
        if isinstance(j, dict)
    ]
    return json.dumps(
        {"id": (data.get("sources") or {}).get("who_is_hiring_thread_id"), "children": children}
    ).encode()


def _hn_items_from_jsonl(payload: bytes) -> bytes:
    """m3at/hn_jobs_gpt_etl lines (``{hn_id, hn_text, ...}``) as an HN Algolia item with children."""
    children = []
    for line in payload.decode("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            children.append({"id": row.get("hn_id"), "text": row.get("hn_text")})
    return json.dumps({"id": None, "children": children}).encode()


def _listings_from_records(payload: bytes) -> bytes:
    """``{"records": [{"listing": {...}}]}`` as a plain JSON array of listings."""
    data = json.loads(payload)
    return json.dumps([r.get("listing") for r in data.get("records", []) if isinstance(r, dict)]).encode()


def _strip_leading_blank_lines(payload: bytes) -> bytes:
    return payload.lstrip(b"\r\n")


_SIMPLIFY = {
    "format": "json",
    "id_column": "id",
    "mapping": {
        "title": "title",
        "company": "company_name",
        "location_text": "locations",
        "posted_at": "date_posted",
    },
}


@dataclass(frozen=True)
class CatalogueEntry:
    pattern: str
    """Glob relative to the real-data root (matched against the end of a file's path)."""
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    company: str | None = None
    adapt: Callable[[bytes], bytes] | None = None


#: Which connector reads each real capture (see ``../shared/realdata/MANIFEST.md``).
CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("srajob2_ats/greenhouse_api/listings/*.json", "greenhouse"),
    CatalogueEntry("srajob2_ats/greenhouse_api/jobs/*.json", "greenhouse"),
    CatalogueEntry("srajob2_ats/ashby_api/*.json", "ashby"),
    CatalogueEntry("srajob2_ats/workday_cxs_api/*.json", "workday"),
    CatalogueEntry("srajob2_ats/docusign_jibe_api/*.json", "jibe", company="Docusign"),
    CatalogueEntry("srajob2_ats/html_jsonld/*.html", "jsonld"),
    CatalogueEntry("srajob2_ats/html_no_jsonld/*.html", "jsonld"),
    CatalogueEntry("srajob2_ats/html_search_pages/*.html", "jsonld"),
    CatalogueEntry("remoteok_api/*.json", "remoteok"),
    CatalogueEntry("remoteok_api/*.html", "jsonld"),
    CatalogueEntry("ats_misc_trimmed/lever_postings.json", "lever"),
    CatalogueEntry("ats_misc_trimmed/smartrecruiters_postings.json", "smartrecruiters"),
    CatalogueEntry("ats_misc_trimmed/pinpoint_postings.json", "pinpoint"),
    CatalogueEntry(
        "glassdoor_ds_2020/glassdoor_jobs.csv",
        "file",
        {
            "format": "csv",
            "source_name": "glassdoor",
            "null_values": ["-1"],
            "mapping": {
                "title": "Job Title",
                "company": "Company Name",
                "location_text": "Location",
                "description": "Job Description",
                "pay_text": "Salary Estimate",
            },
        },  # fmt: skip
    ),
    CatalogueEntry(
        "aijobs_ds_salaries_2023/ds_salaries.csv",
        "file",
        {
            "format": "csv",
            "source_name": "aijobs",
            "mapping": {
                "title": "job_title",
                "pay_min": "salary",
                "pay_max": "salary",
                "pay_currency": "salary_currency",
                "country": "company_location",
            },
        },  # fmt: skip
        adapt=_strip_leading_blank_lines,
    ),
    CatalogueEntry("hn_whoishiring_2026/raw_*.json", "hn", adapt=_hn_items_from_run),
    CatalogueEntry("hn_whoishiring_2023/*.jsonl", "hn", adapt=_hn_items_from_jsonl),
    CatalogueEntry(
        "rebase_whoishiring_cn/issues_raw.jsonl",
        "file",
        {
            "format": "jsonl",
            "source_name": "rebase",
            "id_column": "number",
            "mapping": {"title": "title", "description": "body", "posted_at": "created_at", "url": "url"},
        },
    ),
    CatalogueEntry(
        "jobhunter_ai_boards/*.json",
        "file",
        {
            "format": "json",
            "source_name": "jobhunter",
            "id_column": "id",
            "mapping": {"title": "title", "company": "company", "location_text": "location", "url": "link"},
        },
    ),
    CatalogueEntry("simplify_internships/*.json", "file", {**_SIMPLIFY, "source_name": "simplify"}),
    CatalogueEntry(
        "simplify_newgrad_ai_subset/*.json",
        "file",
        {**_SIMPLIFY, "source_name": "simplify_newgrad"},
        adapt=_listings_from_records,
    ),
)


@dataclass
class ReadResult:
    """Postings per file (``(label, posting)``) and the files that gave none, with the reason."""

    postings: list[tuple[str, Posting]] = field(default_factory=list)
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    record_errors: int = 0


def _entry_for(path: Path) -> CatalogueEntry | None:
    pure = PurePath(path)
    return next((e for e in CATALOGUE if pure.match(e.pattern)), None)


def _is_landing(root: Path) -> bool:
    return root.is_dir() and any(root.glob(f"*/dt=*/*{META_SUFFIX}"))


def _label(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return path.parent.name
    return rel.parts[0] if len(rel.parts) > 1 else (root.name if root.is_dir() else path.parent.name)


def _parse(
    kind: str, payload: bytes, raw_ref: str, options: dict[str, Any], company: str | None, board: str | None
) -> Any:
    ctx = ParseContext(fetched_at=_FETCHED_AT, raw_ref=raw_ref, board=board, company=company, options=options)
    try:
        return get(kind).parse(payload, ctx)
    except Exception as exc:  # a parser bug must not stop the other files: reported as a skipped file
        return ParseResult(
            errors=[RecordError(reason=f"parser failed: {type(exc).__name__}: {exc}", pointer="")]
        )


def read_postings(paths: Iterable[Path]) -> ReadResult:
    """Every posting the connectors read from ``paths`` (folders or files), labelled by data set."""
    out = ReadResult()
    for root in paths:
        root = Path(root)
        if not root.exists():
            out.skipped.append((str(root), "no such file or folder"))
            continue
        if _is_landing(root):
            for lf in iter_landing(root):
                try:
                    if get(lf.meta.source).REFERENCE_DATA:
                        continue
                except KeyError as exc:
                    out.skipped.append((str(lf.path), str(exc)))
                    continue
                out.files += 1
                result = _parse(
                    lf.meta.source,
                    lf.path.read_bytes(),
                    str(lf.path),
                    lf.meta.options or {},
                    None,
                    lf.meta.board,
                )
                _collect(out, result, f"{lf.meta.source}", lf.path)
            continue
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            entry = _entry_for(path)
            if entry is not None:
                payload = path.read_bytes()
                try:
                    payload = entry.adapt(payload) if entry.adapt else payload
                except (ValueError, AttributeError, TypeError) as exc:
                    out.skipped.append((str(path), f"not in the expected shape: {exc}"))
                    continue
                out.files += 1
                result = _parse(entry.kind, payload, str(path), entry.options, entry.company, path.stem)
                _collect(out, result, _label(path, root), path)
            elif path.suffix.lower() in DUMP_SUFFIXES and not path.name.endswith(META_SUFFIX):
                options = {"format": DUMP_SUFFIXES[path.suffix.lower()], "source_name": path.stem}
                out.files += 1
                result = _parse("file", path.read_bytes(), str(path), options, None, path.stem)
                _collect(out, result, _label(path, root), path)
    return out


def _collect(out: ReadResult, result: Any, label: str, path: Path) -> None:
    if not result.postings:
        reason = result.errors[0].reason if result.errors else (result.note or "no postings")
        out.skipped.append((str(path), reason))
        return
    out.record_errors += len(result.errors)
    out.postings.extend((label, p) for p in result.postings)


def iter_labels(result: ReadResult) -> Iterator[str]:
    seen: set[str] = set()
    for label, _ in result.postings:
        if label not in seen:
            seen.add(label)
            yield label
