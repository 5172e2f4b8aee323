"""Great Expectations suites as code, one module per layer (raw, normalised, marts, drift).

Each layer module is plain data plus functions that build ``gx.ExpectationSuite`` objects; it never
opens the warehouse. :mod:`jobtrends.quality` loads these modules *by path* (``settings.expectations_dir``,
via ``importlib.util.spec_from_file_location``) because ``expectations/`` is a top-level folder of the
repository, not part of the installed package: the suites stay reviewable next to ``sql/`` and a
deployment can point ``expectations_dir`` at its own copy without reinstalling the package.

Every expectation carries ``meta``:

- ``severity``: ``"critical"`` (a failure blocks publishing; rows that violate a critical row-level
  expectation of the raw or normalised layer are quarantined) or ``"warning"`` (reported, never blocks);
- ``reason``: one line for people (quarantine reason, summary table);
- ``variant`` (optional): tells apart two expectations of the same type on the same column
  (for example a warning band and a critical floor);
- ``min_rows`` (optional): an aggregate check that is only meaningful with enough rows; with fewer rows
  it is recorded as skipped (success) instead of failing on noise;
- ``scope`` (optional): ``"structural"`` for a critical check of the layer's shape (keys, grain,
  required bookkeeping): its failure blocks publishing and nothing is quarantined. Other critical
  checks of the raw and normalised layers are row-level: failing rows are quarantined and left out.
"""

from __future__ import annotations

from typing import Any, TypeVar

CRITICAL = "critical"
WARNING = "warning"
STRUCTURAL = "structural"
LAYERS: tuple[str, ...] = ("raw", "normalised", "marts", "drift")

T = TypeVar("T")


def tag(
    expectation: T,
    severity: str,
    reason: str,
    *,
    variant: str | None = None,
    min_rows: int | None = None,
    structural: bool = False,
) -> T:
    """Attach severity and reason to an expectation (returns it, for use inside list literals)."""
    if severity not in (CRITICAL, WARNING):
        raise ValueError(f"severity must be {CRITICAL!r} or {WARNING!r}, not {severity!r}")
    meta: dict[str, Any] = dict(getattr(expectation, "meta", None) or {})
    meta.update(severity=severity, reason=reason)
    if variant:
        meta["variant"] = variant
    if min_rows:
        meta["min_rows"] = int(min_rows)
    if structural:
        meta["scope"] = STRUCTURAL
    expectation.meta = meta  # type: ignore[attr-defined]
    return expectation


def critical(expectation: T, reason: str, **kwargs: Any) -> T:
    return tag(expectation, CRITICAL, reason, **kwargs)


def warning(expectation: T, reason: str, **kwargs: Any) -> T:
    return tag(expectation, WARNING, reason, **kwargs)
