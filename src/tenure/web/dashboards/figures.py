"""The engine's figures for one scope of accounts: thin calls into `tenure.analytics`.

`scoped_ledger` reads the ledger once (as `tenure.metrics.service` does) and restricts
every input table to the scope's accounts; the functions below then call the same
compute functions the metrics and retention services call, on that restricted ledger.
Nothing here computes a metric itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import ibis.expr.types as ir

from tenure.analytics import sbg
from tenure.analytics.cohorts import CohortTable, compute_cohorts
from tenure.analytics.inputs import LedgerTables, ledger_tables
from tenure.analytics.metric_results import PeriodRetention, Renewals
from tenure.analytics.renewals import compute_renewals
from tenure.analytics.results import RevenueSeries
from tenure.analytics.retention import compute_retention
from tenure.analytics.revenue import compute_revenue
from tenure.analytics.survival import (
    SurvivalResult,
    compute_lifetimes,
    kaplan_meier,
    period_survivors,
)
from tenure.analytics.tables import Tables
from tenure.kit.context import AppContext
from tenure.web.dashboards.scope import Scope, Window, shift_months

GRACE_DAYS = 30
SBG_HORIZON = 5
PERIOD_MONTHS = 12


@contextmanager
def scoped_ledger(context: AppContext, scope: Scope) -> Iterator[LedgerTables]:
    """The analytics input tables (in-memory DuckDB) restricted to the scope's accounts."""
    with ledger_tables(context, "duckdb") as source:
        yield restrict(source, scope)


def restrict(source: LedgerTables, scope: Scope) -> LedgerTables:
    if scope.is_everything:
        return source
    chosen = _chosen_accounts(source, scope)

    def keep(table: ir.Table) -> ir.Table:
        return table.semi_join(chosen, "account_id")

    base = Tables(source.base.backend, keep(source.terms), keep(source.accounts))
    return LedgerTables(base, keep(source.term_details), keep(source.labels), source.spend)


def _chosen_accounts(source: LedgerTables, scope: Scope) -> ir.Table:
    accounts = source.accounts
    if scope.segment is not None:
        accounts = accounts.filter(accounts.segment == scope.segment)
    chosen = accounts.select("account_id")
    if scope.owner is not None:
        labels = source.labels
        owned = labels.filter(labels.owner.lower() == scope.owner).select("account_id")
        chosen = chosen.semi_join(owned, "account_id")
    return chosen


def revenue(source: LedgerTables, window: Window) -> RevenueSeries:
    """MRR snapshots and movements for the window's months (METRICS.md section 2)."""
    return compute_revenue(source.terms, window.first, window.last)


@dataclass(frozen=True)
class TrailingRetention:
    month: date  # the period's last month
    result: PeriodRetention  # the twelve months ending with `month`


def retention_trend(source: LedgerTables, window: Window) -> tuple[TrailingRetention, ...]:
    """NRR and GRR of the trailing twelve months ending at each month of the window."""
    trend = []
    month = window.first
    while month <= window.last:
        start = shift_months(month, 1 - PERIOD_MONTHS)
        trend.append(TrailingRetention(month, compute_retention(source, start, month)))
        month = shift_months(month, 1)
    return tuple(trend)


def period_retention(source: LedgerTables, first: date, last: date) -> PeriodRetention:
    return compute_retention(source, first, last)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return shift_months(self.first_day, 3) - timedelta(days=1)

    def shifted(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.number - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        from tenure.errors import Invalid

        year, _, number = text.strip().upper().partition("-Q")
        if not (year.isdigit() and number in ("1", "2", "3", "4")):
            raise Invalid(f"quarter: expected YYYY-Qn, got {text!r}")
        return cls(int(year), int(number))


@dataclass(frozen=True)
class QuarterRenewals:
    quarter: Quarter
    result: Renewals


def renewals_by_quarter(
    source: LedgerTables, quarters: tuple[Quarter, ...], as_of: date, grace_days: int = GRACE_DAYS
) -> tuple[QuarterRenewals, ...]:
    """Renewals of the terms ending in each quarter, outcomes as of `as_of` (section 4)."""
    return tuple(
        QuarterRenewals(q, compute_renewals(source, q.first_day, q.last_day, as_of, grace_days))
        for q in quarters
    )


def cohorts(source: LedgerTables, window: Window) -> CohortTable:
    """Monthly cohorts starting in the window, observed through its last month."""
    return compute_cohorts(source.base, window.first, window.last)


def survival(source: LedgerTables, as_of: date) -> SurvivalResult:
    """The Kaplan-Meier curve of customer lifetimes observed through `as_of`'s month."""
    return kaplan_meier(compute_lifetimes(source.base, as_of), as_of, None)


@dataclass(frozen=True)
class SbgFigure:
    cohort_year: int | None
    group: sbg.SbgGroup | None  # None when no cohort has two whole years observed


def sbg_projection(source: LedgerTables, as_of: date, cohort_year: int | None = None) -> SbgFigure:
    """sBG fitted to the annual survivors of one calendar-year cohort (default: the
    latest with two whole years observed), projected SBG_HORIZON years ahead."""
    as_of_idx = as_of.year * 12 + as_of.month - 1
    year = cohort_year if cohort_year is not None else (as_of_idx - 35) // 12
    first, last = year * 12, year * 12 + 11
    survivors = period_survivors(compute_lifetimes(source.base, as_of), first, last, as_of)
    if not survivors:
        return SbgFigure(year, None)
    groups = sbg.fit_groups(survivors, SBG_HORIZON, sbg.DEFAULT_DISCOUNT)
    return SbgFigure(year, groups[0])
