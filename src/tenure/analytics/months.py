"""Months as integers: index = year * 12 + month - 1, so month arithmetic is `+ 1`.

Every engine computes the same index from a date with `year()` and `month()`, which
keeps month-end coverage free of engine-specific date functions.
"""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> date:
    """The first day of the month with this index."""
    return date(index // 12, index % 12 + 1, 1)


def date_month_index(column: ir.DateValue) -> ir.IntegerValue:
    """The month index of a date column, as an engine expression."""
    return column.year().cast("int64") * 12 + column.month().cast("int64") - 1
