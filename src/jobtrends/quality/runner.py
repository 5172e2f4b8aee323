"""Running suites: expectations grouped by the columns they read, the groups run serially or in forked
workers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobtrends.quality.gx_adapter import _context, _merge, _validate_batch
from jobtrends.quality.outcomes import ExpectationOutcome, _BatchRun, _Job, _SuiteRun
from jobtrends.quality.suites import UNIQUENESS_TYPES, _expectation_columns, _is_critical, expectation_label
from transform.forking import can_fork, forked_pool

#: Fewer validation batches than this run in the calling process: forking costs about what it saves.
_PARALLEL_MIN_BATCHES = 4
#: Nor do batches whose summed :func:`_batch_cost` (rows x columns x expectations) is below this: on small
#: frames (a nightly batch) GX's fixed cost per batch dominates and two forks cost more.
_PARALLEL_MIN_COST = 20_000_000
#: ... unless there are this many batches: then GX's fixed cost per batch, shared by two workers, is what
#: the forks save. The marts' suites (41 batches at 1M postings, a cost of ~12M) validated in 2.0-2.1 s
#: forked against 2.5-2.6 s in one process (a 1.02M warehouse after an increment, 2 cores).
_PARALLEL_MANY_BATCHES = 16
#: A frame of fewer rows is validated in one batch per suite (its uniqueness checks apart, on coded keys)
#: instead of one per column group: each batch costs GX ~20-50 ms of set-up whatever its size, while
#: filtering a frame this small for every metric costs less than that.
_ONE_BATCH_MAX_ROWS = 50_000
# Set in the parent before forking: the workers read their batches from here instead of unpickling frames.
_FORKED_BATCHES: Sequence[tuple[_Job, list[Any]]] = ()


def _run_forked_batch(index: int) -> _BatchRun:
    job, exps = _FORKED_BATCHES[index]
    return _validate_batch(job, exps)


def _run_suites(jobs: Sequence[_Job], workers: int) -> list[_SuiteRun]:
    """Every job's suite, results in job order. The unit of work is one column group of one suite
    (see :func:`_groups`); with ``workers`` > 1 and enough of them, they run in forked processes, the
    costliest first: GX spends its time in Python, one core per process, and its pandas frames then
    never grow the caller's heap."""
    global _FORKED_BATCHES
    plans = [_plan(job) for job in jobs]
    batches = [(job, exps) for job, (_, groups) in zip(jobs, plans, strict=True) for exps in groups]
    workers = min(workers, len(batches))
    small = (
        sum(_batch_cost(job, exps) for job, exps in batches) < _PARALLEL_MIN_COST
        and len(batches) < _PARALLEL_MANY_BATCHES
    )
    if workers < 2 or len(batches) < _PARALLEL_MIN_BATCHES or small or not can_fork():
        done = [_validate_batch(job, exps) for job, exps in batches]
    else:
        order = sorted(range(len(batches)), key=lambda i: -_batch_cost(*batches[i]))
        _context()  # import GX and make its context here, once: every pool's workers inherit them
        _FORKED_BATCHES = batches
        try:
            with forked_pool(workers) as pool:
                by_index = dict(zip(order, pool.imap(_run_forked_batch, order, chunksize=1), strict=True))
        finally:
            _FORKED_BATCHES = ()
        done = [by_index[i] for i in range(len(batches))]
    runs: list[_SuiteRun] = []
    position = 0
    for skipped, groups in plans:
        runs.append(_merge(skipped, done[position : position + len(groups)]))
        position += len(groups)
    return runs


def _batch_cost(job: _Job, exps: list[Any]) -> int:
    columns = {c for e in exps for c in _expectation_columns(e.configuration.kwargs)}
    return job.frame.num_rows * max(1, len(columns)) * len(exps)


def _groups(expectations: Sequence[Any], n_rows: int | None = None) -> list[list[Any]]:
    """Expectations grouped by the columns they read (suite order kept).

    GX's pandas engine filters the *whole* dataframe for every metric (``df[mask]``), so a batch
    holding only the columns an expectation reads is several times faster than one wide batch.
    Below :data:`_ONE_BATCH_MAX_ROWS` rows, consecutive groups are joined again into one batch; a
    uniqueness group stays apart (it sees coded keys, see :func:`~jobtrends.quality.gx_adapter._to_pandas`).
    Either way the batches, one after the other, hold the expectations in the same order.
    """
    out: dict[tuple[str, ...], list[Any]] = {}
    for exp in expectations:
        out.setdefault(tuple(_expectation_columns(exp.configuration.kwargs)), []).append(exp)
    groups = list(out.values())
    if n_rows is None or n_rows >= _ONE_BATCH_MAX_ROWS:
        return groups
    joined: list[list[Any]] = []
    for group in groups:
        if all(e.configuration.type in UNIQUENESS_TYPES for e in group):
            joined += [group, []]
        elif joined:
            joined[-1] += group
        else:
            joined.append(list(group))
    return [g for g in joined if g]


def _plan(job: _Job) -> tuple[list[ExpectationOutcome], list[list[Any]]]:
    """Outcomes of the expectations skipped on a small frame (``meta.min_rows``); groups of the others."""
    n_rows = job.frame.num_rows
    kept: list[Any] = []
    skipped: list[Any] = []
    for exp in job.suite.expectations:
        min_rows = int((exp.meta or {}).get("min_rows") or 0)
        (skipped if n_rows < min_rows else kept).append(exp)
    outcomes: list[ExpectationOutcome] = []
    for exp in skipped:
        cfg = exp.configuration
        outcomes.append(
            ExpectationOutcome(
                suite=job.suite.name,
                expectation=expectation_label(cfg.type, cfg.kwargs, exp.meta),
                column=",".join(_expectation_columns(cfg.kwargs)) or None,
                success=True,
                critical=_is_critical(exp.meta),
                observed_value=f"skipped: {n_rows} rows, needs {exp.meta.get('min_rows')}",
                element_count=n_rows,
                reason=str(exp.meta.get("reason", "")),
                skipped=True,
            )
        )
    return outcomes, _groups(kept, n_rows)
