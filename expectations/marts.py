"""Marts suites: data-driven from the tables present in ``marts_next`` at validation time.

One suite per mart table, named ``marts.<table>``. What gets checked:

- every mart: counts are non-negative and shares lie in [0, 1] (columns recognised by name, see
  :data:`COUNT_COLUMN` / :data:`SHARE_COLUMN`, or listed in its :class:`MartSpec`), at least one row;
- marts whose ``sql/marts/<name>.yml`` states ``grain_columns`` (the grain map, :func:`load_specs`): the
  grain is unique, required columns (default: the grain) are non-null, and the period series has no gaps
  (every period between the first and the last appears);
- ``claims``: every claim's ``sql`` re-runs to its ``value`` (the frame is built by
  :mod:`jobtrends.quality`, which executes the SQL against ``marts_next``).

A mart whose .yml states no ``grain_columns`` gets only the generic checks. The yml is the one definition
of a mart's grain: its ``grain`` prose is for people (``jobtrends marts``, table comments).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import great_expectations as gx
import yaml

from . import critical, warning

SUITE_PREFIX = "marts."
CLAIMS_TABLE = "claims"
PERIOD_STEPS: dict[str, str] = {
    "day": "1 day",
    "week": "7 days",
    "month": "1 month",
    "quarter": "3 months",
    "year": "1 year",
}

# Column names that hold counts (must be >= 0) and shares (must be within [0, 1]).
COUNT_COLUMN = re.compile(
    r"^(n|n_\w+|\w+_n|\w*count\w*|\w*postings\w*|\w*unique_roles\w*|\w*mentions\w*|\w*titles\w*"
    r"|\w*companies\w*|n_treated|n_control|min_base|rank|\w+_rank)$"
)
SHARE_COLUMN = re.compile(r"(^|_)(share|rate|coverage)($|_)")
NOT_BOUNDED = re.compile(
    r"(change|delta|diff|_pp($|_)|premium|ratio|median|(^|_)p\d\d_|usd|lift|numerator|denominator)"
)
NUMERIC_TYPES = re.compile(
    r"^(tinyint|smallint|integer|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|float|double|real|decimal)"
)
PERIOD_COLUMNS = ("period_start", "period", "month", "week", "quarter", "period_date")
PERIOD_KIND_COLUMNS = ("period_grain", "grain", "period_type", "period_kind", "period_unit")


@dataclass(frozen=True)
class MartSpec:
    """What is known about one mart: its grain and how its periods are laid out."""

    grain: tuple[str, ...]
    required: tuple[str, ...] = ()  # grain columns that may never be null
    period_column: str | None = None  # a date column; None: detect from PERIOD_COLUMNS
    period_kind_column: str | None = None  # a column naming week/month/quarter; None: detect
    period_kind: str | None = None  # fixed kind when the mart has no kind column
    count_columns: tuple[str, ...] | None = None  # None: recognise by name
    share_columns: tuple[str, ...] | None = None  # None: recognise by name
    check_gaps: bool = True  # False where rows are picked periods (claims), not a series
    extra: Mapping[str, Any] = field(default_factory=dict)


#: The mart docs beside this folder (``sql/marts``); callers pass ``settings.sql_dir / "marts"``.
DEFAULT_MARTS_DIR = Path(__file__).resolve().parent.parent / "sql" / "marts"


def spec_from_yml(yml: Mapping[str, Any]) -> MartSpec | None:
    """The :class:`MartSpec` a mart's ``.yml`` states, or None where it states no ``grain_columns``.

    Keys: ``grain_columns`` (list; ``[]`` for a one-row mart), ``required_columns`` (never null; default:
    the grain), ``check_gaps`` (default true) and ``exact_rows``."""
    grain = yml.get("grain_columns")
    if grain is None:
        return None
    if not isinstance(grain, list) or not all(isinstance(c, str) for c in grain):
        raise ValueError(f"{yml.get('name')}: grain_columns must be a list of column names, not {grain!r}")
    required = yml.get("required_columns", grain)
    if not isinstance(required, list) or not all(isinstance(c, str) for c in required):
        raise ValueError(f"{yml.get('name')}: required_columns must be a list of column names")
    exact = yml.get("exact_rows")
    return MartSpec(
        grain=tuple(grain),
        required=tuple(required),
        check_gaps=bool(yml.get("check_gaps", True)),
        extra={"exact_rows": int(exact)} if exact is not None else {},
    )


def load_specs(marts_dir: Path | str = DEFAULT_MARTS_DIR) -> dict[str, MartSpec]:
    """The grain map: :func:`spec_from_yml` of every ``<name>.yml`` in ``marts_dir`` that states a grain."""
    specs: dict[str, MartSpec] = {}
    for path in sorted(Path(marts_dir).glob("*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        spec = spec_from_yml(doc)
        if spec is not None:
            specs[str(doc.get("name") or path.stem)] = spec
    return specs


def spec_for(
    table: str, columns: Sequence[str], specs: Mapping[str, MartSpec] | None = None
) -> MartSpec | None:
    """The grain map entry of ``table`` (``specs``, default :func:`load_specs`) with its ``required`` columns
    cut to those present; None if unknown."""
    spec = (load_specs() if specs is None else specs).get(table)
    if spec is None:
        return None
    present = set(columns)
    return replace(spec, required=tuple(c for c in spec.required if c in present))


@dataclass(frozen=True)
class MartPlan:
    """The checks for one mart table, derived from its columns (and spec, when known)."""

    table: str
    spec: MartSpec | None
    columns: tuple[str, ...]
    count_columns: tuple[str, ...]
    share_columns: tuple[str, ...]
    period_column: str | None
    period_kind_column: str | None
    period_kind: str | None

    @property
    def suite_name(self) -> str:
        return SUITE_PREFIX + self.table

    @property
    def checks_gaps(self) -> bool:
        return (
            self.spec is not None
            and self.spec.check_gaps
            and self.period_column is not None
            and bool(self.period_kind_column or self.period_kind)
        )


def plan(
    table: str, column_types: Mapping[str, str], specs: Mapping[str, MartSpec] | None = None
) -> MartPlan:
    """Decide what to check in ``table`` from its column names and DuckDB types (and its grain map entry in
    ``specs``, default :func:`load_specs`)."""
    columns = list(column_types)
    spec = spec_for(table, columns, specs)
    numeric = {c for c, t in column_types.items() if NUMERIC_TYPES.match(t.lower())}
    if spec is not None and spec.count_columns is not None:
        counts = tuple(c for c in spec.count_columns if c in numeric)
    else:
        counts = tuple(
            c
            for c in columns
            if c in numeric
            and COUNT_COLUMN.match(c)
            and not SHARE_COLUMN.search(c)
            and not NOT_BOUNDED.search(c)
        )
    if spec is not None and spec.share_columns is not None:
        shares = tuple(c for c in spec.share_columns if c in numeric)
    else:
        shares = tuple(
            c for c in columns if c in numeric and SHARE_COLUMN.search(c) and not NOT_BOUNDED.search(c)
        )
    dated = {c for c, t in column_types.items() if t.lower().startswith(("date", "timestamp"))}
    texts = {c for c, t in column_types.items() if t.lower().startswith("varchar")}
    period = (
        spec.period_column
        if spec and spec.period_column
        else next((c for c in PERIOD_COLUMNS if c in dated), None)
    )
    kind_col = (
        spec.period_kind_column
        if spec and spec.period_kind_column
        else next((c for c in PERIOD_KIND_COLUMNS if c in texts), None)
    )
    return MartPlan(
        table=table,
        spec=spec,
        columns=tuple(columns),
        count_columns=counts,
        share_columns=shares,
        period_column=period if period in dated else None,
        period_kind_column=kind_col if kind_col in texts else None,
        period_kind=spec.period_kind if spec else None,
    )


def frame_sql(schema: str, p: MartPlan) -> str:
    """The mart as a frame, plus ``_period_key`` ('<kind>:<yyyy-mm-dd>') when gaps are checked."""
    if not p.checks_gaps:
        return f"select * from {schema}.{p.table}"
    return f"select *, {_period_key_expr(p)} as _period_key from {schema}.{p.table}"


def _period_key_expr(p: MartPlan) -> str:
    kind = f"coalesce(\"{p.period_kind_column}\", '')" if p.period_kind_column else f"'{p.period_kind}'"
    return f"{kind} || ':' || strftime(\"{p.period_column}\"::date, '%Y-%m-%d')"


def expected_periods_sql(schema: str, p: MartPlan) -> str:
    """Every period key between the first and last period of each kind (kinds with a known step)."""
    kind = f'"{p.period_kind_column}"' if p.period_kind_column else f"'{p.period_kind}'"
    steps = " ".join(f"when '{k}' then interval '{v}'" for k, v in PERIOD_STEPS.items())
    return f"""
        with bounds as (
            select {kind} as kind, min("{p.period_column}")::date as first, max("{p.period_column}")::date as last
            from {schema}.{p.table}
            where "{p.period_column}" is not null
            group by 1
        ),
        stepped as (select kind, first, last, case kind {steps} end as step from bounds where kind is not null)
        select distinct kind || ':' || strftime(d::date, '%Y-%m-%d') as period_key
        from stepped, generate_series(first::timestamp, last::timestamp, step) as g(d)
        where step is not null
        order by 1
    """


def build_suite(p: MartPlan, *, min_rows: int = 1) -> gx.ExpectationSuite:
    e = gx.expectations
    exact = p.spec.extra.get("exact_rows") if p.spec is not None else None
    exps: list[Any] = [
        critical(
            e.ExpectTableRowCountToEqual(value=exact), f"mart {p.table} must have exactly {exact} row(s)"
        )
        if exact is not None
        else warning(e.ExpectTableRowCountToBeBetween(min_value=min_rows), f"mart {p.table} is empty"),
    ]
    grain = list(p.spec.grain) if p.spec is not None else []
    if grain:
        # a mart that changed shape fails here (update its .yml) instead of silently losing its grain check
        exps.append(
            critical(
                e.ExpectTableColumnsToMatchSet(column_set=grain, exact_match=False),
                f"grain columns of {p.table} missing: ({', '.join(grain)})",
            )
        )
    if grain and set(grain) <= set(p.columns):
        exps.append(
            critical(
                e.ExpectCompoundColumnsToBeUnique(column_list=grain)
                if len(grain) > 1
                else e.ExpectColumnValuesToBeUnique(column=grain[0]),
                f"grain of {p.table} not unique: ({', '.join(grain)})",
            )
        )
    for col in p.spec.required if p.spec is not None else ():
        exps.append(critical(e.ExpectColumnValuesToNotBeNull(column=col), f"{p.table}.{col} is null"))
    for col in p.count_columns:
        exps.append(
            critical(e.ExpectColumnValuesToBeBetween(column=col, min_value=0), f"{p.table}.{col} is negative")
        )
    for col in p.share_columns:
        exps.append(
            critical(
                e.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=1),
                f"{p.table}.{col} outside [0, 1]",
            )
        )
    if p.checks_gaps:
        exps.append(
            warning(
                e.ExpectColumnDistinctValuesToContainSet(
                    column="_period_key", value_set={"$PARAMETER": f"expected_periods__{p.table}"}
                ),
                f"gap in the period series of {p.table}",
            )
        )
    return gx.ExpectationSuite(name=p.suite_name, expectations=exps)


# ----------------------------------------------------------------------------- claims

CLAIMS_SUITE = SUITE_PREFIX + "claims.reproducible"
CLAIM_ID_COLUMNS = ("claim_id", "id", "claim", "name", "metric")
CLAIM_VALUE_COLUMNS = ("value", "claim_value")
CLAIM_SQL_COLUMNS = ("sql", "query", "claim_sql")
RELATIVE_TOLERANCE = 1e-6


def claims_columns(columns: Sequence[str]) -> tuple[str | None, str | None, str | None]:
    """(id, value, sql) column names of the claims mart, or None where absent."""
    present = set(columns)

    def pick(options: Sequence[str]) -> str | None:
        return next((c for c in options if c in present), None)

    return pick(CLAIM_ID_COLUMNS), pick(CLAIM_VALUE_COLUMNS), pick(CLAIM_SQL_COLUMNS)


def reproduces(
    value: float | None, recomputed: float | None, *, tolerance: float = RELATIVE_TOLERANCE
) -> bool:
    if value is None or recomputed is None:
        return value is None and recomputed is None
    return abs(value - recomputed) <= tolerance * max(1.0, abs(value))


def build_claims_suite() -> gx.ExpectationSuite:
    """Frame columns: claim_id, value, reproduced_value, reproduces (bool), error (str)."""
    e = gx.expectations
    return gx.ExpectationSuite(
        name=CLAIMS_SUITE,
        expectations=[
            critical(
                e.ExpectColumnValuesToBeInSet(column="reproduces", value_set=[True]),
                "claim's sql does not regenerate its value",
            ),
            critical(e.ExpectColumnValuesToBeNull(column="error"), "claim's sql fails to run"),
            critical(e.ExpectColumnValuesToBeUnique(column="claim_id"), "duplicate claim id"),
        ],
    )
