"""Metric rules: argument validation and the one call per metric the entry points make."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from decimal import Decimal

from tenure.analytics.cmrr import compute_cmrr
from tenure.analytics.dimensions import dimension
from tenure.analytics.economics import compute_economics
from tenure.analytics.engines import EngineName
from tenure.analytics.inputs import ledger_tables
from tenure.analytics.metric_results import Cmrr, PeriodRetention, Renewals, UnitEconomics
from tenure.analytics.months import month_index
from tenure.analytics.movements import RevenueMovements, compute_movements
from tenure.analytics.renewals import compute_renewals
from tenure.analytics.results import RevenueSeries
from tenure.analytics.retention import compute_retention
from tenure.analytics.revenue import compute_revenue_by
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.kit.timeutil import month_start, utcnow

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 1200  # a hundred years is plenty for any series


@dataclass(frozen=True)
class MonthRange:
    start: date  # first day of the first month
    end: date  # first day of the last month


def parse_month(text: str, name: str) -> date:
    """'2025-03' -> date(2025, 3, 1); anything else is Invalid naming the argument."""
    match = MONTH_PATTERN.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise Invalid(f"{name}: expected a month as YYYY-MM, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_month_range(start: str, end: str) -> MonthRange:
    """The `--from`/`--to` (or `from`/`to`) arguments as a checked range of months."""
    return month_range(parse_month(start, "from"), parse_month(end, "to"))


def month_range(start: date, end: date) -> MonthRange:
    first, last = month_start(start), month_start(end)
    if first > last:
        raise Invalid(f"from ({_text(first)}) is after to ({_text(last)})")
    if month_index(last) - month_index(first) >= MAX_MONTHS:
        raise Invalid(f"from {_text(first)} to {_text(last)} spans more than {MAX_MONTHS} months")
    return MonthRange(first, last)


def revenue_series(
    context: AppContext, start_month: date, end_month: date, *, by: str | None = None,
    engine: EngineName = "duckdb",
) -> RevenueSeries:  # fmt: skip
    """The monthly MRR/ARR series with movements (METRICS.md section 2), start..end,
    overall and, with `by`, per group of that dimension."""
    months = month_range(start_month, end_month)
    _check_by(by)
    with ledger_tables(context, engine) as source:
        return compute_revenue_by(source, months.start, months.end, by)


def revenue_movements(
    context: AppContext, start_month: date, end_month: date, *, movement: str | None = None,
    by: str | None = None, engine: EngineName = "duckdb",
) -> RevenueMovements:  # fmt: skip
    """The accounts behind the series' movements, start..end: every account whose
    month-end MRR changed, with its movement (all, or only `movement`)."""
    months = month_range(start_month, end_month)
    _check_by(by)
    with ledger_tables(context, engine) as source:
        return compute_movements(source, months.start, months.end, movement, by)


def _text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_GRACE_DAYS = 3660


def parse_day(text: str, name: str) -> date:
    """'2025-03-31' -> date(2025, 3, 31); anything else is Invalid naming the argument."""
    try:
        if not DAY_PATTERN.match(text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{name}: expected a date as YYYY-MM-DD, got {text!r}") from None


def period_retention(
    context: AppContext, start_month: date, end_month: date, *, by: str | None = None,
    engine: EngineName = "duckdb",
) -> PeriodRetention:  # fmt: skip
    """NRR, GRR and logo churn of the start cohort (METRICS.md section 3)."""
    months = month_range(start_month, end_month)
    _check_by(by)
    with ledger_tables(context, engine) as source:
        return compute_retention(source, months.start, months.end, by)


def renewals(
    context: AppContext, first: date, last: date, *, grace_days: int = 30,
    as_of: date | None = None, by: str | None = None, engine: EngineName = "duckdb",
) -> Renewals:  # fmt: skip
    """Due, renewed, pending and churned accounts for terms ending first..last (section 4)."""
    if first > last:
        raise Invalid(f"from ({first.isoformat()}) is after to ({last.isoformat()})")
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise Invalid(f"grace-days: expected 0 to {MAX_GRACE_DAYS}, got {grace_days}")
    _check_by(by)
    day = as_of or utcnow().date()
    with ledger_tables(context, engine) as source:
        return compute_renewals(source, first, last, day, grace_days, by)


def unit_economics(
    context: AppContext, start_month: date, end_month: date, *, by: str | None = None,
    engine: EngineName = "duckdb",
) -> UnitEconomics:  # fmt: skip
    """ARPA, monthly logo churn, LTV, CAC, LTV:CAC and CAC payback (section 5)."""
    months = month_range(start_month, end_month)
    _check_by(by)
    margin = Decimal(str(context.settings.gross_margin))
    with ledger_tables(context, engine) as source:
        return compute_economics(source, months.start, months.end, margin, by)


def committed_mrr(
    context: AppContext, as_of: date | None = None, *, by: str | None = None,
    engine: EngineName = "duckdb",
) -> Cmrr:  # fmt: skip
    """CMRR as of a day with its parts (section 5)."""
    _check_by(by)
    with ledger_tables(context, engine) as source:
        return compute_cmrr(source, as_of or utcnow().date(), by)


def _check_by(by: str | None) -> None:
    if by is not None:
        dimension(by)
