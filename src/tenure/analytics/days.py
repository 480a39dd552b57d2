"""Dates as day numbers (days since 1970-01-01), computed with integer arithmetic only.

Adding days to a date needs engine-specific functions (SQLite before 3.46 has none that
Ibis can use), so expressions that count days compare day numbers instead: the
days-from-civil formula below uses `year()`, `month()`, `day()`, `+`, `*` and `//`,
which every engine computes exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import ibis
import ibis.expr.types as ir

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def day_of_number(number: int) -> date:
    return date.fromordinal(int(number) + EPOCH_ORDINAL)


def date_day_number(column: ir.DateValue) -> ir.IntegerValue:
    """The day number of a date column, as an engine expression (H. Hinnant's
    days_from_civil; exact for every date after year 0)."""
    month = column.month().cast("int64")
    year = column.year().cast("int64") - ibis.ifelse(month <= 2, 1, 0)
    era = year // 400
    year_of_era = year - era * 400
    shifted_month = ibis.ifelse(month > 2, month - 3, month + 9)
    day_of_year = (153 * shifted_month + 2) // 5 + column.day().cast("int64") - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return (era * 146097 + day_of_era - 719468).cast("int64")


# A day as a query parameter (`compiled.py`): three int64 parameters, year, month and
# day, made a date by the engine, so date columns are compared as dates (cheap, no
# day-number arithmetic per row).


def date_params(name: str) -> tuple[str, str, str]:
    """The int64 parameters of a day passed as year, month and day (`day_values`)."""
    return (f"{name}_year", f"{name}_month", f"{name}_day")


def day_values(name: str, day: date) -> dict[str, int]:
    return dict(zip(date_params(name), (day.year, day.month, day.day), strict=True))


def param_date(params: Mapping[str, ir.IntegerValue], name: str) -> ir.DateValue:
    return ibis.date(*(params[key] for key in date_params(name)))
