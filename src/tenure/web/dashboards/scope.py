"""Dashboard filters: which accounts a figure covers (segment, owner) and which months.

A `Scope` restricts the engine's input tables to the accounts it names before any
figure is computed, so every number on a filtered dashboard is the engine's own figure
for that book of accounts (never a share of the whole computed in a template).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from tenure.errors import Invalid
from tenure.kit.timeutil import utcnow
from tenure.metrics import service as metrics

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class Scope:
    """Accounts in a segment and/or owned by a user (email); both None = every account."""

    segment: str | None = None
    owner: str | None = None

    @property
    def is_everything(self) -> bool:
        return self.segment is None and self.owner is None

    def query(self) -> dict[str, str]:
        """The filter as query-string parameters (empty ones left out)."""
        return {k: v for k, v in (("segment", self.segment), ("owner", self.owner)) if v}


@dataclass(frozen=True)
class Window:
    """Months first..last (first days); the dashboard's reporting range."""

    first: date
    last: date

    def query(self) -> dict[str, str]:
        return {"from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"}


def parse_scope(segment: str | None, owner: str | None) -> Scope:
    return Scope(segment=(segment or "").strip() or None, owner=(owner or "").strip().lower() or None)


def last_complete_month(today: date) -> date:
    """The month before today's (its month-end snapshot is final)."""
    first = today.replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1
            else first.replace(month=first.month - 1))  # fmt: skip


def shift_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_window(start: str | None, end: str | None, today: date | None = None) -> Window:
    """`from`/`to` as YYYY-MM; default the twelve complete months before today."""
    last = metrics.parse_month(end, "to") if end else last_complete_month(today or utcnow().date())
    first = metrics.parse_month(start, "from") if start else shift_months(last, 1 - MONTHS_SHOWN)
    months = metrics.month_range(first, last)
    if (last.year - first.year) * 12 + last.month - first.month >= 120:
        raise Invalid("from/to: dashboards show at most 120 months")
    return Window(months.start, months.end)


def link(path: str, *parts: dict[str, str]) -> str:
    """`path?a=b&...` from several parameter dicts (later ones win)."""
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part)
    return f"{path}?{urlencode(merged)}" if merged else path
