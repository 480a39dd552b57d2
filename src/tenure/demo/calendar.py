"""Whole-day dates as integer ordinals (`date.toordinal()`), with vectorised month math."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import numpy as np

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def add_months(days: np.ndarray | int, months: np.ndarray | int) -> np.ndarray:
    """Same day of month `months` later, clipped to the month's last day (Jan 31 + 1 = Feb 28)."""
    d64 = (np.asarray(days, dtype=np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")
    month = d64.astype("datetime64[M]")
    day_of_month = (d64 - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    last = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    result = np.minimum(target.astype("datetime64[D]") + day_of_month, last)
    return result.astype(np.int64) + EPOCH_ORDINAL


def add_months_one(day: int, months: int) -> int:
    return int(add_months(np.array([day]), np.array([months]))[0])


def to_date(day: int) -> date:
    return date.fromordinal(int(day))


def to_datetime(day: int, seconds: float = 0.0) -> datetime:
    """Midnight UTC of `day` plus `seconds`."""
    base = datetime.combine(date.fromordinal(int(day)), time(0), tzinfo=UTC)
    return datetime.fromtimestamp(base.timestamp() + float(seconds), tz=UTC)


def month_starts(first: int, last: int) -> list[int]:
    """Ordinals of the first day of every month from `first`'s month to `last`'s."""
    start = date.fromordinal(first).replace(day=1).toordinal()
    result = [start]
    while True:
        nxt = add_months_one(result[-1], 1)
        if nxt > last:
            return result
        result.append(nxt)
