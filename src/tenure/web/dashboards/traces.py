"""Drill-downs: the accounts behind a dashboard number, as a registry of small classes.

Each trace answers "which accounts make up this figure" with the engine's own
expressions on the same scoped ledger the figure came from: MRR movements are
`analytics.movements` (the accounts the series sums, `tenure metrics movements`);
retention and renewals list the accounts their results already carry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

import ibis
import ibis.expr.types as ir

from tenure.analytics.inputs import LedgerTables
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.results import cents_to_money
from tenure.analytics.movements import MOVEMENTS, compute_movements
from tenure.analytics.revenue import account_changes, measure_scale, snapshot_at
from tenure.errors import Invalid, NotFound
from tenure.kit.context import AppContext
from tenure.web.dashboards import figures
from tenure.web.dashboards.scope import Window


@dataclass(frozen=True)
class DrillRequest:
    """What was clicked: a trace kind and its parameters (validated by the trace)."""

    kind: str
    window: Window
    item: str | None = None  # movement, retention movement or renewal status
    month: date | None = None  # the month a monthly figure belongs to
    quarter: str | None = None  # YYYY-Qn for renewals
    as_of: date | None = None


@dataclass(frozen=True)
class TraceRow:
    external_id: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TraceResult:
    title: str
    columns: tuple[str, ...]  # keys of TraceRow.values, in display order
    rows: tuple[TraceRow, ...]


class Trace(ABC):
    kind: ClassVar[str]

    @abstractmethod
    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult: ...


TRACES: dict[str, Trace] = {}


def register(trace: type[Trace]) -> type[Trace]:
    TRACES[trace.kind] = trace()
    return trace


def get_trace(kind: str) -> Trace:
    try:
        return TRACES[kind]
    except KeyError:
        raise NotFound(f"no drill-down named {kind!r}; known: {', '.join(sorted(TRACES))}") from None


def _choice(value: str | None, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise Invalid(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _external_ids(source: LedgerTables, rows: ir.Table) -> ir.Table:
    labels = source.labels
    joined = rows.join(labels, rows.account_id == labels.account_id)
    return joined.select(labels.external_id, *(rows[c] for c in rows.columns if c != "account_id"))


@register
class MovementTrace(Trace):
    """Accounts with one MRR movement in any month of the window (or in `month`)."""

    kind = "movement"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        movement = _choice(request.item, MOVEMENTS, "movement")
        first, last = _months(request)
        moved = compute_movements(source, month_of_index(first), month_of_index(last), movement)
        rows = tuple(
            TraceRow(a.external_id, {"month": f"{a.month:%Y-%m}", "mrr_before": a.mrr_before,
                                     "mrr_after": a.mrr_after, "change": a.change})  # fmt: skip
            for a in moved.accounts
        )
        when = _months_text(first, last)
        return TraceResult(f"{movement.capitalize()} MRR, {when}",
                           ("month", "mrr_before", "mrr_after", "change"), rows)  # fmt: skip


@register
class PayingTrace(Trace):
    """Paying customers at the end of `month` (the waterfall's start and end bars)."""

    kind = "paying"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        if request.month is None:
            raise Invalid("month: required (YYYY-MM)")
        terms = source.terms
        paying = snapshot_at(terms, measure_scale(terms), month_index(request.month))
        listed = _external_ids(source, paying).order_by([ibis.desc("cents"), "external_id"])
        rows = tuple(
            TraceRow(row["external_id"], {"mrr": cents_to_money(row["cents"])})
            for row in listed.to_pyarrow().to_pylist()
        )
        return TraceResult(f"Paying customers at the end of {request.month:%Y-%m}", ("mrr",), rows)


RETENTION_MOVEMENTS = ("churned", "contracted", "expanded", "unchanged")


@register
class RetentionTrace(Trace):
    """The start cohort of the twelve months ending `month` (NRR/GRR points)."""

    kind = "retention"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        if request.month is None:
            raise Invalid("month: required (YYYY-MM)")
        if request.item is not None:
            _choice(request.item, RETENTION_MOVEMENTS, "movement")
        start = month_of_index(month_index(request.month) - figures.PERIOD_MONTHS + 1)
        result = figures.period_retention(source, start, request.month)
        rows = tuple(
            TraceRow(a.external_id, {"movement": a.movement, "start_mrr": a.start_mrr,
                                     "end_mrr": a.end_mrr, "change": a.end_mrr - a.start_mrr})
            for a in result.accounts
            if request.item is None or a.movement == request.item
        )  # fmt: skip
        which = f"{request.item} accounts" if request.item else "Start cohort"
        title = f"{which.capitalize()}: twelve months {_months_text(month_index(start), month_index(request.month))}"
        return TraceResult(title, ("movement", "start_mrr", "end_mrr", "change"), rows)


RENEWAL_STATUSES = ("renewed", "pending", "churned")


@register
class RenewalTrace(Trace):
    """Due accounts of a quarter (optionally of one status), outcomes as of `as_of`."""

    kind = "renewal"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        quarter = figures.Quarter.parse(request.quarter or "")
        if request.item is not None:
            _choice(request.item, RENEWAL_STATUSES, "status")
        as_of = request.as_of or date.today()
        (outcome,) = figures.renewals_by_quarter(source, (quarter,), as_of)
        rows = tuple(
            TraceRow(a.external_id, {"status": a.status, "due_arr": a.due_arr,
                                     "renewed_arr": a.renewed_arr,
                                     "window_closes_on": a.window_closes_on,
                                     "released_to_pool_on": a.released_to_pool_on})
            for a in outcome.result.accounts
            if request.item is None or a.status == request.item
        )  # fmt: skip
        which = f"{request.item.capitalize()} renewals" if request.item else "Due renewals"
        columns = ("status", "due_arr", "renewed_arr", "window_closes_on", "released_to_pool_on")
        return TraceResult(f"{which}, {quarter.label} (as of {as_of})", columns, rows)


@register
class CohortTrace(Trace):
    """The customers of a monthly cohort (first positive month-end in `month`) and, with
    `item` = an age in months, their MRR that many months later (a cohort table cell)."""

    kind = "cohort"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        if request.month is None:
            raise Invalid("month: required (YYYY-MM), the cohort's first month")
        if request.item is not None and not request.item.isdigit():
            raise Invalid(f"age: expected a whole number of months, got {request.item!r}")
        first, age = month_index(request.month), int(request.item or 0)
        terms = source.terms
        scale = measure_scale(terms)
        changes = account_changes(terms, scale, first)
        members = changes.filter(changes.first_paid == first).select("account_id").distinct()
        began = snapshot_at(terms, scale, first).rename(start_cents="cents")
        at = snapshot_at(terms, scale, first + age).rename(at_cents="cents")
        rows = members.join(began, "account_id").left_join(at, "account_id")
        rows = rows.select("account_id", "start_cents", at_cents=rows.at_cents.coalesce(0))
        listed = _external_ids(source, rows).order_by(["external_id"]).to_pyarrow().to_pylist()
        found = tuple(TraceRow(r["external_id"], {"start_mrr": cents_to_money(r["start_cents"]),
                                                  "mrr_at_age": cents_to_money(r["at_cents"]),
                                                  "paying": "yes" if r["at_cents"] > 0 else "no"})
                      for r in listed)  # fmt: skip
        return TraceResult(f"Cohort {request.month:%Y-%m}, {age} months after start",
                           ("start_mrr", "mrr_at_age", "paying"), found)  # fmt: skip


def _months(request: DrillRequest) -> tuple[int, int]:
    if request.month is not None:
        return month_index(request.month), month_index(request.month)
    return month_index(request.window.first), month_index(request.window.last)


def _months_text(first: int, last: int) -> str:
    a, b = month_of_index(first), month_of_index(last)
    return f"{a:%Y-%m}" if first == last else f"{a:%Y-%m} to {b:%Y-%m}"


def total(result: TraceResult, column: str) -> Decimal:
    """Sum of a money column over the rows (for the drill-down's footer)."""
    return sum((Decimal(str(r.values[column])) for r in result.rows), Decimal("0"))
