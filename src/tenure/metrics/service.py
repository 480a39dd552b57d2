"""Metric rules: argument validation and the one call per metric the entry points make."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tenure.analytics.engines import ENGINES, EngineName, analytics_tables
from tenure.analytics.months import month_index
from tenure.analytics.results import RevenueSeries
from tenure.analytics.revenue import compute_revenue
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.kit.timeutil import month_start

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
    context: AppContext, start_month: date, end_month: date, *, engine: EngineName = "duckdb"
) -> RevenueSeries:
    """The monthly MRR/ARR series with movements (METRICS.md section 2), start..end."""
    months = month_range(start_month, end_month)
    if engine not in ENGINES:
        raise Invalid(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    with analytics_tables(context, engine) as source:
        return compute_revenue(source.terms, months.start, months.end)


def _text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
