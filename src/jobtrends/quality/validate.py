"""The public API: :func:`validate_layer`, :class:`MartsValidator` and deferred Data Docs."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobtrends import warehouse
from jobtrends.quality.frames import (
    _drift_jobs,
    _marts_jobs,
    _nothing_to_validate,
    _row_level_jobs,
)
from jobtrends.quality.gx_adapter import _render_docs, preload
from jobtrends.quality.outcomes import LAYERS, ROW_LEVEL_LAYERS, ValidationOutcome
from jobtrends.quality.runner import _run_suites
from jobtrends.quality.store import _quarantine, _store_results
from jobtrends.settings import Settings

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- public API


def render_deferred_docs(outcome: ValidationOutcome | None, settings: Settings) -> Path | None:
    """Render the Data Docs of an outcome validated with ``docs="defer"`` (once); returns the index path."""
    if outcome is None or outcome.pending_docs is None:
        return outcome.docs_path if outcome is not None else None
    rendered, now = outcome.pending_docs
    outcome.pending_docs = None
    outcome.docs_path = _render_docs(settings, outcome.run_id, rendered, now)
    return outcome.docs_path


def render_deferred_docs_together(
    outcomes: Sequence[ValidationOutcome | None], settings: Settings
) -> Path | None:
    """Render the Data Docs of several outcomes validated with ``docs="defer"`` in one site build (a
    build renders its input layers and its marts once, not three times); returns the index path."""
    pending = [o for o in outcomes if o is not None and o.pending_docs is not None]
    if not pending:
        return None
    rendered = [r for o in pending for r in o.pending_docs[0]]  # type: ignore[index]
    now = pending[-1].pending_docs[1]  # type: ignore[index]
    for o in pending:
        o.pending_docs = None
    path = _render_docs(settings, pending[-1].run_id, rendered, now)
    for o in pending:
        o.docs_path = path
    return path


def validate_layer(
    con: Any,
    layer: str,
    *,
    run_id: str,
    settings: Settings,
    marts: Sequence[str] | None = None,
    marts_schema: str = warehouse.BUILD_SCHEMA,
    sources: Sequence[str] | None = None,
    now: datetime | None = None,
    docs: bool | str = True,
    incremental: bool = False,
    results_con: Any = None,
    claims_on_connection: bool = False,
) -> ValidationOutcome:
    """Validate one layer (``raw``, ``normalised``, ``marts``, ``drift``, or ``all``) and keep the results.

    - results → ``ops.validation_results``; critical row-level failures (raw, normalised) → ``ops.quarantine``;
    - ``marts``: validates the tables in ``marts_schema`` (default ``marts_next``), only ``marts`` if given
      (a named mart that is missing is a critical failure);
    - ``drift``: ``sources`` restricts (and completes) the freshness check to the configured sources;
    - ``now``: the validation clock (future dates, freshness), UTC now by default;
    - ``docs``: render GX Data Docs into ``settings.docs_dir / "data_docs"``; ``"defer"`` keeps the results
      for :func:`render_deferred_docs` (the marts build renders them after publishing);
    - ``incremental`` (raw, normalised): validate the rows added since the last accepted batch
      (:func:`accept_batch`), the rows still in quarantine and rows sharing a key with a new one, instead
      of the whole table (a first run, or a changed suite, validates everything);
    - ``results_con``: where the results are stored (default ``con``): the marts build validates inside
      its transaction, and the results of a rejected build must outlive its rollback;
    - ``claims_on_connection``: re-run the claims on ``con`` itself (inside a build transaction other
      cursors cannot see ``marts_next``).
    """
    if layer == "all":
        parts = [
            validate_layer(
                con,
                name,
                run_id=run_id,
                settings=settings,
                marts=marts,
                marts_schema=marts_schema,
                sources=sources,
                now=now,
                docs=docs,
                incremental=incremental,
                results_con=results_con,
                claims_on_connection=claims_on_connection,
            )
            for name in LAYERS
        ]
        return ValidationOutcome.merge("all", run_id, parts)
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join((*LAYERS, 'all'))}")
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    outcome = ValidationOutcome(layer=layer, run_id=run_id)
    empty = _nothing_to_validate(con, settings, layer) if incremental and layer in ROW_LEVEL_LAYERS else None
    if empty is not None:
        outcome.batches[layer] = empty
        outcome.rows[layer] = 0
        outcome.seconds = time.perf_counter() - started
        return outcome
    preload()  # GX is imported in the background while DuckDB computes the frames
    if layer in ROW_LEVEL_LAYERS:
        jobs = _row_level_jobs(con, settings, layer, now, incremental)
    elif layer == "drift":
        jobs = _drift_jobs(con, settings, now, sources)
    else:
        jobs, missing = _marts_jobs(con, settings, marts_schema, marts, claims_on_connection)
        outcome.results.extend(missing)
    rendered: list[tuple[Any, Any]] = []
    workers = settings.workers
    for job, run in zip(jobs, _run_suites(jobs, workers), strict=True):
        outcome.results.extend(run.outcomes)
        outcome.rows[job.suite.name] = job.frame.num_rows
        if job.quarantine is not None:  # also with no failure: quarantined rows that pass now come back
            outcome.quarantined += _quarantine(con, run_id, job, run.failing_rows)
        if job.batch is not None:
            outcome.batches[job.batch.layer] = job.batch
        rendered.append((job.suite, run.gx_result))
    _store_results(results_con if results_con is not None else con, run_id, outcome.results)
    if docs == "defer":
        outcome.pending_docs = (rendered, now)
    elif docs:
        outcome.docs_path = _render_docs(settings, run_id, rendered, now)
    outcome.seconds = time.perf_counter() - started
    for r in outcome.warnings:
        log.warning(
            "validation warning [%s] %s: %s (observed %s)", r.suite, r.expectation, r.reason, r.observed_value
        )
    return outcome


class MartsValidator:
    """``validator(con, mart_names) -> bool``: validate the built marts (``marts_next``) before publishing.

    Keeps the last :class:`ValidationOutcome` in :attr:`last_outcome` for logging and tests.
    """

    def __init__(
        self,
        settings: Settings,
        run_id: str,
        *,
        schema: str = warehouse.BUILD_SCHEMA,
        docs: bool | str = True,
    ):
        self.settings = settings
        self.run_id = run_id
        self.schema = schema
        self.docs = docs
        self.last_outcome: ValidationOutcome | None = None

    def __call__(self, con: Any, mart_names: Sequence[str]) -> bool:
        # the build validates inside its transaction: the claims re-run on ``con`` (a cursor would not
        # see ``marts_next``), and the results go through a cursor (its own transaction) so that they
        # outlive the rollback of a rejected build
        results = con.cursor()
        try:
            self.last_outcome = validate_layer(
                con,
                "marts",
                run_id=self.run_id,
                settings=self.settings,
                marts=list(mart_names),
                marts_schema=self.schema,
                docs=self.docs,
                results_con=results,
                claims_on_connection=True,
            )
        finally:
            results.close()
        return self.last_outcome.success


def marts_validator(settings: Settings, run_id: str, *, docs: bool | str = True) -> MartsValidator:
    """The callable the marts builder runs on ``marts_next`` before publishing (see :class:`MartsValidator`)."""
    return MartsValidator(settings, run_id, docs=docs)
