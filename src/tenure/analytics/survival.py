"""Customer lifetimes and Kaplan-Meier survival curves (METRICS.md section 6).

A customer's **lifetime** starts at its first positive month-end snapshot (month f) and
ends at its **first churn**: the first month c > f whose snapshot is 0. Its duration is
c - f months (it paid at the month-ends f .. c - 1). A customer still paying at the
as-of month a is **censored** at a - f months: we know it lasted at least that long.
Reactivations do not extend a lifetime: the first churn ends it (a win-back is a new
sale, and counting it would let one customer churn twice in one curve).

Lifetimes come from one compiled-once query (`compiled.Query`, months and the MRR
denominator as integer parameters) over the accounts' term boundaries, the same exact
snapshots as the revenue series without a month grid (`revenue.account_changes`); they
stay Arrow columns (`LazyRows`) that `kaplan_meier` and `period_survivors` read as
numpy arrays. The Kaplan-Meier estimate is lifelines' `KaplanMeierFitter` (imported
when used), fitted to each distinct (duration, churned) pair with its count as weight.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.analytics import dimensions
from tenure.analytics.cohorts import ALL, check_grouping
from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import day_number
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.lazy import LazyRows
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.revenue import Scale, account_changes, measure_scale
from tenure.analytics.tables import Tables
from tenure.errors import Invalid
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


def _lifetime_rows(source: ir.Table | LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once lifetimes query: per account with a positive snapshot up to month
    `last`, first_idx = its first positive month and churn_idx = the first month after
    that whose snapshot is 0 (null while paying through `last`), from the accounts' term
    boundaries (`revenue.account_changes`: the snapshot changes only there, so the first
    month with MRR 0 after first_idx is a change to 0). With `by`, the account's group as
    of day number `reference_day`; ordered by account."""
    terms = source if isinstance(source, ir.Table) else source.terms
    changes = account_changes(terms, Scale(params["denominator"], None), params["last"])
    ended = (changes.cur == 0) & (changes.month_idx > changes.first_paid)
    per_account = changes.group_by("account_id").aggregate(
        first_idx=changes.first_paid.min().cast("int64"),
        churn_idx=ibis.ifelse(ended, changes.month_idx, ibis.null("int64")).min().cast("int64"),
    )
    if by is None:
        labelled = per_account.mutate(group=ibis.literal(ALL, type="string"))
    else:
        assert isinstance(source, LedgerTables)
        labelled = dimensions.with_group(per_account, source, by, params["reference_day"])
    return labelled.select("account_id", "group", "first_idx", "churn_idx").order_by("account_id")


LIFETIMES_QUERY = Query("lifetimes", ("denominator", "last", "reference_day"), _lifetime_rows)


def compute_lifetimes(
    source: Tables | LedgerTables, as_of: date, by: str | None = None
) -> LazyRows[Lifetime]:
    """Every customer that paid at some month-end up to the as-of month, ordered by
    account; grouping (`by`, as of the last day of that month) needs `LedgerTables`.
    One query; the rows stay Arrow (`LazyRows`) until a caller reads them as `Lifetime`s
    (`kaplan_meier` and `period_survivors` read the columns, never the objects)."""
    if check_grouping(by) is not None and not isinstance(source, LedgerTables):
        raise Invalid("grouping needs the ledger tables (analytics.inputs), not only the terms")
    as_of_idx = month_index(as_of)
    values = {"denominator": measure_scale(source.terms).denominator, "last": as_of_idx,
              "reference_day": day_number(month_end(month_of_index(as_of_idx)))}  # fmt: skip
    inputs = source.terms if by is None else source
    table = LIFETIMES_QUERY.run(source.terms._find_backend(), inputs, values, by)
    return LazyRows(table, _lifetime)


def _lifetime(row: dict[str, Any]) -> Lifetime:
    churn = row["churn_idx"]
    return Lifetime(
        account_id=int(row["account_id"]),
        group=str(row["group"]),
        first_idx=int(row["first_idx"]),
        churn_idx=None if churn is None else int(churn),
    )


@dataclass(frozen=True)
class LifetimeColumns:
    """Lifetimes as numpy columns: `churn_idx` is NO_CHURN while still paying."""

    groups: tuple[str, ...]  # the group names, sorted
    group: np.ndarray  # per lifetime: its group's position in `groups`
    first_idx: np.ndarray
    churn_idx: np.ndarray

    def durations(self, as_of_idx: int) -> np.ndarray:
        churned = self.churn_idx != NO_CHURN
        return np.where(churned, self.churn_idx, as_of_idx) - self.first_idx


NO_CHURN = -1  # month indexes of real dates are positive


def lifetime_columns(lifetimes: Iterable[Lifetime]) -> LifetimeColumns:
    """The columns of `compute_lifetimes`' Arrow rows (no objects built), or of any
    iterable of `Lifetime`s."""
    if isinstance(lifetimes, LazyRows):
        table = lifetimes.arrow
    else:
        items = list(lifetimes)
        table = pa.table({
            "group": pa.array([item.group for item in items], pa.string()),
            "first_idx": pa.array([item.first_idx for item in items], pa.int64()),
            "churn_idx": pa.array([item.churn_idx for item in items], pa.int64()),
        })  # fmt: skip
    encoded = pc.dictionary_encode(table.column("group")).combine_chunks()
    names = encoded.dictionary.to_pylist()
    order = sorted(range(len(names)), key=names.__getitem__)
    position = np.empty(len(names), dtype=np.int64)
    position[order] = np.arange(len(names))
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return LifetimeColumns(
        groups=tuple(names[i] for i in order),
        group=position[indices] if len(names) else indices,
        first_idx=_integers(table.column("first_idx")),
        churn_idx=_integers(table.column("churn_idx").fill_null(NO_CHURN)),
    )


def _integers(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy().astype(np.int64, copy=False)


def kaplan_meier(lifetimes: Iterable[Lifetime], as_of: date, by: str | None) -> SurvivalResult:
    """One Kaplan-Meier curve per group of lifetimes (one group when not grouping)."""
    as_of_idx = month_index(as_of)
    columns = lifetime_columns(lifetimes)
    durations = columns.durations(as_of_idx)
    churned = columns.churn_idx != NO_CHURN
    curves = tuple(
        _curve(name, durations[columns.group == code], churned[columns.group == code])
        for code, name in enumerate(columns.groups)
    )
    return SurvivalResult(as_of=month_of_index(as_of_idx), by=by, curves=curves)


def _curve(group: str, durations: np.ndarray, churned: np.ndarray) -> SurvivalCurve:
    """lifelines' fit of one group, given each distinct (duration, churned) pair once with
    its count as the weight: the same event table and estimates as one row per customer."""
    from lifelines import KaplanMeierFitter

    shift = min(int(durations.min()), 0) if len(durations) else 0  # bincount needs >= 0
    counts = np.bincount((durations - shift) * 2 + churned, minlength=2)
    pairs = np.flatnonzero(counts)
    fitter = KaplanMeierFitter().fit(pairs // 2 + shift, event_observed=pairs % 2 == 1,
                                     weights=counts[pairs])  # fmt: skip
    events = fitter.event_table
    survival = fitter.survival_function_.loc[events.index].to_numpy()[:, 0]
    bounds = fitter.confidence_interval_survival_function_.loc[events.index].to_numpy()
    points = [
        SurvivalPoint(months=int(months), at_risk=int(at_risk), churned=int(observed),
                      censored=int(censored), survival=float(value),
                      lower=_finite(low), upper=_finite(high))  # fmt: skip
        for months, at_risk, observed, censored, value, low, high in zip(
            events.index, events["at_risk"], events["observed"], events["censored"],
            survival, bounds[:, 0], bounds[:, 1], strict=True,
        )
    ]
    events_total = int(churned.sum())
    return SurvivalCurve(
        group=group,
        customers=len(durations),
        churned=events_total,
        censored=len(durations) - events_total,
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
    periods = max((month_index(as_of) - last_idx) // period, 0)
    columns = lifetime_columns(lifetimes)
    chosen = (columns.first_idx >= first_idx) & (columns.first_idx <= last_idx)
    lasted = np.where(columns.churn_idx == NO_CHURN, np.iinfo(np.int64).max,
                      columns.churn_idx - columns.first_idx)  # fmt: skip
    survivors = {}
    for code, name in enumerate(columns.groups):
        members = lasted[chosen & (columns.group == code)]
        if len(members):
            survivors[name] = tuple(int((members > t * period).sum()) for t in range(periods + 1))
    return survivors
