"""Cohort retention tables (METRICS.md section 6) as Ibis expressions.

A customer's **cohort** is the month of its first positive month-end snapshot (the same
snapshots as the revenue series, from its term boundaries). For a
cohort C starting in month c and every age k = 0, 1, ... months since start:

    customers(k)         = |{a in C : MRR(a, c + k) > 0}|
    mrr(k)               = sum over C of MRR(a, c + k)
    logo_retention(k)    = customers(k) / customers(0)
    revenue_retention(k) = mrr(k) / mrr(0)           (NRR of the cohort's starting MRR)

An account that churns and comes back counts again from the month it pays again (the
table shows who is paying at each age); survival curves use the first churn instead.
Groupings (`by`) are the breakdown dimensions of `analytics.dimensions` (segment,
industry, owner, plan, country), as of the last day observed.

The table comes from one compiled-once query (`compiled.Query`, months as integer
parameters): per group, cohort and month, the net change of paying customers and MRR
from the accounts' term boundaries (`revenue.account_changes`, no month grid); each
cell is a running sum of its cohort's changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from tenure.analytics import dimensions
from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import day_number
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.results import RATIO, cents_to_money
from tenure.analytics.revenue import Scale, account_changes, measure_scale
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


def _cell_changes(source: Tables | LedgerTables | ir.Table, params: Params, by: str | None) -> ir.Table:
    """The compiled-once cohorts query: per group, cohort month (`first_paid`, months
    `first`..`last`) and month with some change of an account's MRR, the net change of
    paying customers and of MRR in cents (`revenue.account_changes`: term boundaries, no
    month grid). With `by`, the group is the dimension's as of day number `reference_day`."""
    terms = source if isinstance(source, ir.Table) else source.terms
    changes = account_changes(terms, Scale(params["denominator"], None), params["last"])
    chosen = changes.filter(changes.first_paid.between(params["first"], params["last"]))
    if by is None:
        labelled = chosen.mutate(group=ibis.literal(ALL, type="string"))
    else:
        assert isinstance(source, LedgerTables)
        labelled = dimensions.with_group(chosen, source, by, params["reference_day"])
    cur, prev = labelled.cur, labelled.prev
    return labelled.group_by("group", "first_paid", "month_idx").aggregate(
        customers=(ibis.ifelse(cur > 0, 1, 0) - ibis.ifelse(prev > 0, 1, 0)).sum().cast("int64"),
        cents=(cur - prev).sum().cast("int64"),
    )


COHORTS_QUERY = Query("cohorts", ("denominator", "first", "last", "reference_day"), _cell_changes)


def compute_cohorts(
    source: Tables | LedgerTables, start: date, end: date, by: str | None = None
) -> CohortTable:
    """Cohorts starting in months start..end, observed through `end`; grouping (`by`)
    needs `LedgerTables`. One query for the changes; each cohort's cells are running
    sums of them from its start month."""
    if check_grouping(by) is not None and not isinstance(source, LedgerTables):
        raise Invalid("grouping needs the ledger tables (analytics.inputs), not only the terms")
    first, last = month_index(start), month_index(end)
    values = {"denominator": measure_scale(source.terms).denominator, "first": first,
              "last": last, "reference_day": day_number(month_end(end))}  # fmt: skip
    inputs = source.terms if by is None else source
    rows = COHORTS_QUERY.run(source.terms._find_backend(), inputs, values, by).to_pydict()
    changes: dict[tuple[str, int], dict[int, tuple[int, int]]] = {}
    for group, idx, month, customers, cents in zip(
        rows["group"], rows["first_paid"], rows["month_idx"], rows["customers"], rows["cents"],
        strict=True,
    ):
        changes.setdefault((str(group), int(idx)), {})[int(month)] = (int(customers), int(cents))
    cohorts = tuple(_cohort(g, idx, _cells(changes[(g, idx)], idx, last), last)
                    for g, idx in sorted(changes))  # fmt: skip
    return CohortTable(start=start, end=end, by=by, cohorts=cohorts)


def _cells(changes: dict[int, tuple[int, int]], idx: int, last: int) -> dict[int, tuple[int, int]]:
    """Paying customers and MRR (cents) at each age 0..last - idx: running sums of the
    cohort's net changes from its start month."""
    customers = cents = 0
    cells = {}
    for age in range(last - idx + 1):
        step = changes.get(idx + age)
        if step is not None:
            customers, cents = customers + step[0], cents + step[1]
        cells[age] = (customers, cents)
    return cells


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
