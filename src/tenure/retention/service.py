"""Retention rules: argument validation and the one call per result the entry points make.

Services never commit; these only read. The analytics run on the chosen engine
(`duckdb` in memory by default, or `database` in place), like the revenue metrics.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date

from typing import TYPE_CHECKING, Literal

from tenure.analytics import sbg
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.kit.timeutil import month_end

if TYPE_CHECKING:
    from tenure.analytics.cohorts import CohortTable
    from tenure.analytics.survival import SurvivalResult

# Ibis, pandas and lifelines load inside the functions that query data, so the
# `--survivors` path of `tenure retention sbg` starts without them.
EngineName = Literal["duckdb", "database"]

INTEGER = re.compile(r"^[+]?\d+$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 1200
PERIOD_MONTHS = 12  # data-driven sBG: annual renewal periods
MAX_SURVIVOR_COUNTS = 1000


def parse_survivors(text: str) -> tuple[int, ...]:
    """'1000,631,468' -> (1000, 631, 468), checked: positive, non-increasing, >= 2."""
    items = [item.strip() for item in text.split(",")]
    if len(items) > MAX_SURVIVOR_COUNTS:
        raise Invalid(f"survivors: at most {MAX_SURVIVOR_COUNTS} counts, got {len(items)}")
    counts = []
    for index, item in enumerate(items):
        if not INTEGER.match(item):
            raise Invalid(f"survivors: S({index}) must be a positive integer, got {item!r}")
        counts.append(int(item))
    return sbg.validate_survivors(counts)


def parse_discount(value: float) -> float:
    return sbg.validate_discount(value)


def parse_value(value: float | None) -> float | None:
    """The value of one period (e.g. the annual fee), for lifetime value = value x DERL."""
    if value is not None and not math.isfinite(value):
        raise Invalid(f"value: must be a finite number, got {value!r}")
    return value


def month_index(day: date) -> int:
    """As `analytics.months.month_index` (which loads Ibis): year x 12 + month - 1."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str, name: str) -> date:
    """'2025-03' -> date(2025, 3, 1); anything else is Invalid naming the argument."""
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise Invalid(f"{name}: expected a month as YYYY-MM, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def check_months(start: date, end: date) -> None:
    if start > end:
        raise Invalid(f"from ({start:%Y-%m}) is after to ({end:%Y-%m})")
    if month_index(end) - month_index(start) >= MAX_MONTHS:
        raise Invalid(f"from {start:%Y-%m} to {end:%Y-%m} spans more than {MAX_MONTHS} months")


def default_as_of(today: date) -> date:
    """The last month whose month-end has passed (this month when today is its last day)."""
    if today == month_end(today):
        return today.replace(day=1)
    return month_of_index(month_index(today) - 1)


def parse_as_of(text: str | None, today: date) -> date:
    """`--as-of YYYY-MM` (the last month-end observed), default `default_as_of(today)`."""
    return default_as_of(today) if text is None else parse_month(text, "as-of")


def sbg_from_survivors(
    survivors: Sequence[int],
    horizon: int = sbg.DEFAULT_HORIZON,
    discount: float = sbg.DEFAULT_DISCOUNT,
) -> sbg.SbgProjection:
    """Fit sBG to survivors S(0..n) and project n + horizon periods, DERL at `discount`."""
    sbg.validate_horizon(horizon)
    sbg.validate_discount(discount)
    return sbg.project(sbg.fit_sbg(sbg.validate_survivors(survivors)), horizon, discount)


def cohort_table(
    context: AppContext, start: date, end: date, *, by: str | None = None,
    engine: EngineName = "duckdb",
) -> CohortTable:  # fmt: skip
    """Cohorts starting in months start..end with retention by age, observed to `end`."""
    from tenure.analytics.cohorts import check_grouping, compute_cohorts
    from tenure.analytics.inputs import ledger_tables

    start, end = start.replace(day=1), end.replace(day=1)
    check_months(start, end)
    check_grouping(by)
    with ledger_tables(context, _engine(engine)) as source:
        return compute_cohorts(source, start, end, by)


def survival_curves(
    context: AppContext, as_of: date, *, by: str | None = None, engine: EngineName = "duckdb"
) -> SurvivalResult:
    """Kaplan-Meier curves of customer lifetimes observed up to the as-of month."""
    from tenure.analytics.cohorts import check_grouping
    from tenure.analytics.inputs import ledger_tables
    from tenure.analytics.survival import compute_lifetimes, kaplan_meier

    check_grouping(by)
    with ledger_tables(context, _engine(engine)) as source:
        lifetimes = compute_lifetimes(source, as_of, by)
    return kaplan_meier(lifetimes, as_of, by)


def sbg_for_cohort(
    context: AppContext, cohort_year: int, as_of: date, *, by: str | None = None,
    horizon: int = sbg.DEFAULT_HORIZON, discount: float = sbg.DEFAULT_DISCOUNT,
    engine: EngineName = "duckdb",
) -> sbg.SbgCohort:  # fmt: skip
    """sBG per group over the annual survivors of the customers whose first positive
    snapshot is in `cohort_year` (analytics.survival.period_survivors)."""
    from tenure.analytics.cohorts import check_grouping
    from tenure.analytics.inputs import ledger_tables
    from tenure.analytics.survival import compute_lifetimes, period_survivors

    sbg.validate_horizon(horizon)
    sbg.validate_discount(discount)
    check_grouping(by)
    first, last = _year_months(cohort_year)
    periods = (month_index(as_of) - last) // PERIOD_MONTHS
    if periods < 1:
        raise Invalid(
            f"cohort {cohort_year}: no whole year observed for all its customers by "
            f"{as_of:%Y-%m} (needs as-of {month_of_index(last + PERIOD_MONTHS):%Y-%m} or later)"
        )
    with ledger_tables(context, _engine(engine)) as source:
        lifetimes = compute_lifetimes(source, as_of, by)
    survivors = period_survivors(lifetimes, first, last, as_of, PERIOD_MONTHS)
    if not survivors:
        raise Invalid(f"cohort {cohort_year}: no customer's first paid month-end is in that year")
    groups = sbg.fit_groups(survivors, horizon, discount)
    if by is None and groups[0].error is not None:
        raise Invalid(f"cohort {cohort_year}: {groups[0].error}")
    return sbg.SbgCohort(cohort_year, month_of_index(month_index(as_of)), by, PERIOD_MONTHS, groups)


def _year_months(year: int) -> tuple[int, int]:
    if not 1 <= year <= 9999:
        raise Invalid(f"cohort: expected a year YYYY, got {year!r}")
    return year * 12, year * 12 + 11


def _engine(engine: EngineName) -> EngineName:
    from tenure.analytics.engines import ENGINES

    if engine not in ENGINES:
        raise Invalid(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    return engine
