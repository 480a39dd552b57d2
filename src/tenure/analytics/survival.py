"""Customer lifetimes and Kaplan-Meier survival curves (METRICS.md section 6).

A customer's **lifetime** starts at its first positive month-end snapshot (month f) and
ends at its **first churn**: the first month c > f whose snapshot is 0. Its duration is
c - f months (it paid at the month-ends f .. c - 1). A customer still paying at the
as-of month a is **censored** at a - f months: we know it lasted at least that long.
Reactivations do not extend a lifetime: the first churn ends it (a win-back is a new
sale, and counting it would let one customer churn twice in one curve).

Lifetimes are an Ibis expression over the same snapshots as the revenue series; the
Kaplan-Meier estimate is lifelines' `KaplanMeierFitter` (imported when used).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import ibis.expr.types as ir

from tenure.analytics.cohorts import first_paid, with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.revenue import account_snapshots, measure_scale
from tenure.analytics.tables import Tables
from tenure.kit.timeutil import month_end

MEDIAN_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Lifetime:
    account_id: int
    group: str
    first_idx: int  # month index of the first positive snapshot
    churn_idx: int | None  # month index of the first churn; None while still paying

    def duration(self, as_of_idx: int) -> int:
        """Months from the first positive snapshot to churn, or to as-of (censored)."""
        return (as_of_idx if self.churn_idx is None else self.churn_idx) - self.first_idx


@dataclass(frozen=True)
class SurvivalPoint:
    months: int
    at_risk: int  # customers observed up to at least this age
    churned: int  # lifetimes ending at this age
    censored: int  # still paying, observed up to exactly this age
    survival: float  # Kaplan-Meier S(months)
    lower: float | None  # 95% confidence interval (exponential Greenwood)
    upper: float | None


@dataclass(frozen=True)
class SurvivalCurve:
    group: str
    customers: int
    churned: int
    censored: int
    median_months: float | None  # first age with S <= 0.5; None when never reached
    points: tuple[SurvivalPoint, ...]  # at age 0 and every age with a churn or censoring


@dataclass(frozen=True)
class SurvivalResult:
    as_of: date  # first day of the last month observed
    by: str | None
    curves: tuple[SurvivalCurve, ...]


def lifetime_table(snapshots: ir.Table, as_of_idx: int) -> ir.Table:
    """Per account: first_idx and churn_idx (null while paying through as-of)."""
    following = snapshots.select("account_id", month_idx=snapshots.month_idx - 1)
    last_paid = snapshots.anti_join(following, ["account_id", "month_idx"])
    last_paid = last_paid.filter(last_paid.month_idx < as_of_idx)
    churns = last_paid.group_by("account_id").aggregate(churn_idx=(last_paid.month_idx + 1).min())
    starts = first_paid(snapshots)
    joined = starts.left_join(churns, starts.account_id == churns.account_id)
    return joined.select(starts.account_id, starts.first_idx, churns.churn_idx)


def compute_lifetimes(
    source: Tables | LedgerTables, as_of: date, by: str | None = None
) -> tuple[Lifetime, ...]:
    """Every customer that paid at some month-end up to the as-of month; grouping (`by`,
    as of the last day of that month) needs `LedgerTables`."""
    as_of_idx = month_index(as_of)
    snapshots = account_snapshots(source.terms, measure_scale(source.terms), as_of_idx)
    reference = month_end(month_of_index(as_of_idx))
    table = with_group(lifetime_table(snapshots, as_of_idx), source, by, reference)
    rows = table.order_by("account_id").to_pyarrow().to_pylist()
    return tuple(
        Lifetime(
            account_id=int(row["account_id"]),
            group=str(row["grp"]),
            first_idx=int(row["first_idx"]),
            churn_idx=None if row["churn_idx"] is None else int(row["churn_idx"]),
        )
        for row in rows
    )


def kaplan_meier(lifetimes: Iterable[Lifetime], as_of: date, by: str | None) -> SurvivalResult:
    """One Kaplan-Meier curve per group of lifetimes (one group when not grouping)."""
    as_of_idx = month_index(as_of)
    groups: dict[str, list[Lifetime]] = defaultdict(list)
    for lifetime in lifetimes:
        groups[lifetime.group].append(lifetime)
    curves = tuple(_curve(name, groups[name], as_of_idx) for name in sorted(groups))
    return SurvivalResult(as_of=month_of_index(as_of_idx), by=by, curves=curves)


def _curve(group: str, lifetimes: list[Lifetime], as_of_idx: int) -> SurvivalCurve:
    from lifelines import KaplanMeierFitter

    durations = [lifetime.duration(as_of_idx) for lifetime in lifetimes]
    observed = [lifetime.churn_idx is not None for lifetime in lifetimes]
    fitter = KaplanMeierFitter().fit(durations, event_observed=observed)
    events = fitter.event_table
    bounds = fitter.confidence_interval_survival_function_
    points = []
    for months, row in events.iterrows():
        points.append(
            SurvivalPoint(
                months=int(months),
                at_risk=int(row["at_risk"]),
                churned=int(row["observed"]),
                censored=int(row["censored"]),
                survival=float(fitter.survival_function_.loc[months].iloc[0]),
                lower=_finite(bounds.loc[months].iloc[0]),
                upper=_finite(bounds.loc[months].iloc[1]),
            )
        )
    return SurvivalCurve(
        group=group,
        customers=len(lifetimes),
        churned=sum(observed),
        censored=len(lifetimes) - sum(observed),
        median_months=_median(points),
        points=tuple(points),
    )


def _median(points: list[SurvivalPoint]) -> float | None:
    """The first age at which the curve is at or below 0.5 (lifelines' definition, with a
    tolerance so that 5/6 x 4/5 x 3/4 computed in floating point still counts as 1/2)."""
    for point in points:
        if point.survival <= 0.5 + MEDIAN_TOLERANCE:
            return float(point.months)
    return None


def _finite(value: float) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def period_survivors(
    lifetimes: Iterable[Lifetime], first_idx: int, last_idx: int, as_of: date, period: int = 12
) -> dict[str, tuple[int, ...]]:
    """Survivors S(0..n) per group of the customers who started in months
    first_idx..last_idx: S(t) = customers still in their first lifetime t periods after
    their start (churn_idx - first_idx > t x period). n is the number of whole periods
    observed for every member: (as-of month - last_idx) // period."""
    periods = (month_index(as_of) - last_idx) // period
    groups: dict[str, list[Lifetime]] = defaultdict(list)
    for lifetime in lifetimes:
        if first_idx <= lifetime.first_idx <= last_idx:
            groups[lifetime.group].append(lifetime)
    return {
        name: tuple(
            sum(1 for m in members if m.churn_idx is None or m.churn_idx - m.first_idx > t * period)
            for t in range(max(periods, 0) + 1)
        )
        for name, members in sorted(groups.items())
    }
