"""What a dashboard section hands its template: numbers already computed, with links."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from tenure.web.dashboards.scope import Scope, Window

Kind = Literal["money", "percent", "number", "decimal", "text", "date"]


@dataclass(frozen=True)
class DashboardParams:
    scope: Scope
    window: Window
    today: date
    cohort_year: int | None = None


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: Kind = "text"
    href: str | None = None


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Chart:
    spec: dict[str, Any]
    label: str  # what the chart shows, for screen readers


@dataclass(frozen=True)
class Empty:
    title: str
    hint: str  # what to do (may hold <code>)


@dataclass(frozen=True)
class SectionView:
    name: str
    title: str
    stats: tuple[tuple[str, Cell], ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    empty: Empty | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
