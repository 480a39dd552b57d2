"""Dates as day numbers (days since 1970-01-01).

Adding days to a date needs engine-specific functions (SQLite before 3.46 has none that
Ibis can use), so expressions that count days compare day numbers instead: a term's
are computed with its other numbers (`tables.with_numbers`), and a day travels into a
query as a day-number parameter.
"""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def day_of_number(number: int) -> date:
    return date.fromordinal(int(number) + EPOCH_ORDINAL)


def date_day_number(column: ir.DateValue) -> ir.IntegerValue:
    """The day number of a date column, as an engine expression: Ibis's `epoch_days`,
    which each engine computes natively (the parity suite checks they agree)."""
    return column.epoch_days().cast("int64")
