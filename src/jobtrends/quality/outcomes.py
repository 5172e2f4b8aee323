"""What a validation returns: layer names and limits, :class:`ExpectationOutcome`, :class:`BatchInfo`,
:class:`Verdict`, :class:`ValidationOutcome`, and the records of one suite run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

LAYERS: tuple[str, ...] = ("raw", "normalised", "marts", "drift")
ROW_LEVEL_LAYERS: tuple[str, ...] = ("raw", "normalised")
DOCS_SUBDIR = "data_docs"
STAGE = "validate"
MAX_OBSERVED_CHARS = 2000
PARTIAL_UNEXPECTED = 20
_BULKY_RESULT_KEYS = (
    "unexpected_list",
    "unexpected_index_list",
    "partial_unexpected_index_list",
    "unexpected_index_query",
)


# ----------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, as stored in ``ops.validation_results``."""

    suite: str
    expectation: str  # "<gx type>(<columns>)" plus "[variant]" where a suite has two of a kind
    column: str | None
    success: bool
    critical: bool
    observed_value: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    reason: str = ""
    skipped: bool = False
    quarantined: int = 0  # rows of this check's failure kept in ops.quarantine (left out of the marts)
    structural: bool = False  # a check of the layer's shape (keys, grain): never quarantines, blocks

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchInfo:
    """What one row-level layer's validation covered: the new batch, and what it quarantined.

    ``new_rows`` are the rows added since the last accepted batch (all rows in a full validation);
    ``rechecked_rows`` the others validated with them (rows still in quarantine, and rows sharing a key
    with a new one, so a duplicate across batches is found). ``quarantined_new`` counts the distinct new
    rows that failed a row-level check (the share that can block publishing); ``quarantined`` every row
    failing one now; ``released`` the quarantined rows that pass now (a rule or parser fix) and come back.
    """

    layer: str
    full: bool
    since: datetime | None
    suite_hash: str
    new_rows: int = 0
    rechecked_rows: int = 0
    quarantined_new: int = 0
    quarantined: int = 0
    released: int = 0
    validated_through: datetime | None = None
    table_rows: int = 0
    excluded_rows: int = 0  # rows of the layer in quarantine after this validation

    @property
    def share(self) -> float:
        return self.quarantined_new / self.new_rows if self.new_rows else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["validated_through"] = self.validated_through.isoformat() if self.validated_through else None
        out["share"] = round(self.share, 6)
        return out


@dataclass(frozen=True)
class Verdict:
    """Whether a validated layer may be published: ``kind`` is ``ok``, ``structural`` or ``quarantine_share``."""

    kind: str
    message: str

    @property
    def blocked(self) -> bool:
        return self.kind != "ok"


@dataclass
class ValidationOutcome:
    """The result of validating one layer (or several, merged)."""

    layer: str
    run_id: str
    results: list[ExpectationOutcome] = field(default_factory=list)
    quarantined: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # validated rows per suite
    docs_path: Path | None = None
    seconds: float = 0.0
    #: GX results kept for :func:`render_deferred_docs` when validated with ``docs="defer"``.
    pending_docs: tuple[list[tuple[Any, Any]], datetime] | None = field(
        default=None, repr=False, compare=False
    )
    #: row-level layers validated: what the batch was and what it quarantined
    batches: dict[str, BatchInfo] = field(default_factory=dict)

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if r.critical and not r.success]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.critical and not r.success]

    @property
    def success(self) -> bool:
        """No critical failure (warnings allowed)."""
        return not self.critical_failures

    @property
    def publishable(self) -> bool:
        """Every critical failure is row-level and all its rows are quarantined.

        Then the layer minus :func:`quarantine_keys` is clean, and a pipeline may go on building the
        marts without those rows instead of stopping (``success`` is stricter: no critical failure at all).
        """
        return not self.structural_failures

    @property
    def structural_failures(self) -> list[ExpectationOutcome]:
        """Critical failures whose rows are not (all) quarantined: structural checks, checks that raised,
        aggregate checks. Any of them blocks publishing."""
        return [
            r for r in self.critical_failures if not (r.quarantined and r.quarantined == r.unexpected_count)
        ]

    def verdict(self, *, max_share: float, min_rows: int) -> Verdict:
        """Publish or block: blocked on a structural failure, on an empty layer (or one left empty by the
        quarantine), or when the quarantined share of the new batch exceeds ``max_share`` (judged on
        batches of at least ``min_rows`` rows: below that, one bad row is not a rate)."""
        if self.structural_failures:
            detail = "; ".join(
                f"{r.suite}: {r.reason or r.expectation}" for r in self.structural_failures[:3]
            )
            return Verdict("structural", f"structural check failed ({detail})")
        for b in self.batches.values():
            if not b.table_rows:
                return Verdict("structural", f"the {b.layer} layer is empty")
            if b.excluded_rows >= b.table_rows:
                return Verdict("structural", f"every row of the {b.layer} layer is in quarantine")
            if b.new_rows >= min_rows and b.share > max_share:
                return Verdict(
                    "quarantine_share",
                    f"{b.quarantined_new:,} of {b.new_rows:,} new {b.layer} rows quarantined "
                    f"({b.share:.2%}, above the {max_share:.2%} limit, JOBTRENDS_MAX_QUARANTINE_SHARE)",
                )
        return Verdict("ok", "publishable")

    def __bool__(self) -> bool:
        return self.success

    def summary_line(self) -> str:
        status = "ok" if self.success else "FAILED"
        text = (
            f"{status}: {len(self.results)} checks, {len(self.critical_failures)} critical failures, "
            f"{len(self.warnings)} warnings"
        )
        if self.quarantined:
            text += f", {self.quarantined} rows quarantined"
        for b in self.batches.values():
            scope = "full" if b.full else "batch"
            text += f"; {b.layer} {scope}: {b.new_rows:,} new rows, {b.quarantined_new:,} quarantined"
            if b.released:
                text += f", {b.released:,} released"
        if self.critical_failures:
            text += (
                " ("
                + "; ".join(f"{r.suite}: {r.reason or r.expectation}" for r in self.critical_failures[:3])
                + ")"
            )
        return text

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable (for XCom and run summaries)."""
        return {
            "layer": self.layer,
            "run_id": self.run_id,
            "success": self.success,
            "publishable": self.publishable,
            "checks": len(self.results),
            "critical_failures": [_brief(r) for r in self.critical_failures],
            "warnings": [_brief(r) for r in self.warnings],
            "quarantined": self.quarantined,
            "batches": {k: b.as_dict() for k, b in self.batches.items()},
            "rows": dict(self.rows),
            "docs_path": str(self.docs_path) if self.docs_path else None,
            "seconds": round(self.seconds, 2),
        }

    def by_suite(self) -> dict[str, list[ExpectationOutcome]]:
        out: dict[str, list[ExpectationOutcome]] = {}
        for r in self.results:
            out.setdefault(r.suite, []).append(r)
        return out

    @classmethod
    def merge(cls, layer: str, run_id: str, outcomes: Iterable[ValidationOutcome]) -> ValidationOutcome:
        merged = cls(layer=layer, run_id=run_id)
        for o in outcomes:
            merged.results.extend(o.results)
            merged.quarantined += o.quarantined
            merged.rows.update(o.rows)
            merged.batches.update(o.batches)
            merged.docs_path = o.docs_path or merged.docs_path
            merged.seconds += o.seconds
        return merged


def _brief(r: ExpectationOutcome) -> dict[str, Any]:
    return {
        "suite": r.suite,
        "expectation": r.expectation,
        "reason": r.reason,
        "observed": r.observed_value,
        "unexpected_count": r.unexpected_count,
    }


@dataclass
class _Job:
    """One suite over one frame."""

    suite: Any  # gx.ExpectationSuite
    frame: pa.Table
    parameters: dict[str, Any] = field(default_factory=dict)
    quarantine: Any = None  # the layer module (QUARANTINE_COLUMNS, RECORD_SQL) for row-level layers
    batch: BatchInfo | None = None  # row-level layers: what the frame covers


@dataclass
class _SuiteRun:
    outcomes: list[ExpectationOutcome]
    failing_rows: list[tuple[ExpectationOutcome, list[int]]]  # critical row-level failures → frame positions
    gx_result: Any


@dataclass
class _BatchRun:
    """The results of one column group of one suite."""

    outcomes: list[ExpectationOutcome]
    failing_rows: list[tuple[ExpectationOutcome, list[int]]]
    gx_result: Any
