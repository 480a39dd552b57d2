"""Cohort retention tables (METRICS.md section 6) as Ibis expressions.

A customer's **cohort** is the month of its first positive month-end snapshot (the same
snapshots as the revenue series, `tenure.analytics.revenue.account_snapshots`). For a
cohort C starting in month c and every age k = 0, 1, ... months since start:

    customers(k)         = |{a in C : MRR(a, c + k) > 0}|
    mrr(k)               = sum over C of MRR(a, c + k)
    logo_retention(k)    = customers(k) / customers(0)
    revenue_retention(k) = mrr(k) / mrr(0)           (NRR of the cohort's starting MRR)

An account that churns and comes back counts again from the month it pays again (the
table shows who is paying at each age); survival curves use the first churn instead.
Groupings (`by`) are the breakdown dimensions of `analytics.dimensions` (segment,
industry, owner, plan, country), as of the last day observed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from tenure.analytics import dimensions
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.results import RATIO, cents_to_money
from tenure.analytics.revenue import account_snapshots, measure_scale
from tenure.analytics.tables import Tables
from tenure.errors import Invalid
from tenure.kit.timeutil import month_end

ALL = "all"  # the group name when results are not split
UNASSIGNED = dimensions.NONE_GROUP  # the group of accounts with no value


@dataclass(frozen=True)
class CohortAge:
    """One cell of a cohort table: the cohort `age` months after its start month."""

    age: int
    customers: int
    mrr: Decimal
    logo_retention: Decimal
    revenue_retention: Decimal


@dataclass(frozen=True)
class Cohort:
    month: date  # first day of the cohort's start month
    group: str  # ALL, or the account attribute's value
    customers: int  # customers(0)
    start_mrr: Decimal  # mrr(0)
    ages: tuple[CohortAge, ...]  # ages 0 .. (last month - cohort month)


@dataclass(frozen=True)
class CohortTable:
    start: date  # first cohort month
    end: date  # last cohort month, and the last month observed
    by: str | None
    cohorts: tuple[Cohort, ...]  # ordered by group, then month


def check_grouping(by: str | None) -> str | None:
    if by is not None:
        dimensions.dimension(by)
    return by


def with_group(members: ir.Table, source: Tables | LedgerTables, by: str | None,
               reference: date) -> ir.Table:  # fmt: skip
    """`members` (with account_id) plus a string column `grp`: the account's group in the
    dimension `by` as of `reference` (UNASSIGNED when it has none), or ALL when not
    grouping."""
    if check_grouping(by) is None:
        return members.mutate(grp=ibis.literal(ALL, type="string"))
    if not isinstance(source, LedgerTables):
        raise Invalid("grouping needs the ledger tables (analytics.inputs), not only the terms")
    labelled = dimensions.with_group(members, source, by, reference)
    return labelled.rename(grp="group")


def first_paid(snapshots: ir.Table) -> ir.Table:
    """Per account, `first_idx`: the month of its first positive snapshot."""
    return snapshots.group_by("account_id").aggregate(first_idx=snapshots.month_idx.min())


def cohort_cells(snapshots: ir.Table, members: ir.Table) -> ir.Table:
    """Per group, cohort month and age: paying customers and MRR in cents."""
    joined = snapshots.join(members, "account_id")
    age = (joined.month_idx - joined.first_idx).name("age")
    return joined.group_by(["grp", "first_idx", age]).aggregate(
        customers=joined.account_id.count().cast("int64"),
        cents=joined.cents.sum().cast("int64"),
    )


def compute_cohorts(
    source: Tables | LedgerTables, start: date, end: date, by: str | None = None
) -> CohortTable:
    """Cohorts starting in months start..end, observed through `end`; grouping (`by`)
    needs `LedgerTables`."""
    first, last = month_index(start), month_index(end)
    snapshots = account_snapshots(source.terms, measure_scale(source.terms), last)
    starts = first_paid(snapshots)
    chosen = starts.filter(starts.first_idx.between(first, last))
    members = with_group(chosen, source, by, month_end(month_of_index(last)))
    rows = cohort_cells(snapshots, members).to_pyarrow().to_pylist()
    cells: dict[tuple[str, int], dict[int, tuple[int, int]]] = {}
    for row in rows:
        key = (str(row["grp"]), int(row["first_idx"]))
        cells.setdefault(key, {})[int(row["age"])] = (int(row["customers"]), int(row["cents"]))
    cohorts = tuple(_cohort(group, idx, cells[(group, idx)], last) for group, idx in sorted(cells))
    return CohortTable(start=start, end=end, by=by, cohorts=cohorts)


def _cohort(group: str, idx: int, cells: dict[int, tuple[int, int]], last: int) -> Cohort:
    customers0, cents0 = cells[0]
    ages = []
    for age in range(last - idx + 1):
        customers, cents = cells.get(age, (0, 0))
        ages.append(
            CohortAge(
                age=age,
                customers=customers,
                mrr=cents_to_money(cents),
                logo_retention=(Decimal(customers) / customers0).quantize(RATIO),
                revenue_retention=(Decimal(cents) / cents0).quantize(RATIO),
            )
        )
    return Cohort(
        month=month_of_index(idx),
        group=group,
        customers=customers0,
        start_mrr=cents_to_money(cents0),
        ages=tuple(ages),
    )
