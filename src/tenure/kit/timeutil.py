"""Time helpers: timezone-aware UTC everywhere, whole-day dates for terms."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_end(day: date) -> date:
    """Last day of the month containing `day`."""
    return date.fromordinal(next_month(day).toordinal() - 1)


def parse_month(text: str) -> date:
    """'2025-03' -> date(2025, 3, 1)."""
    return datetime.strptime(text, "%Y-%m").date()
