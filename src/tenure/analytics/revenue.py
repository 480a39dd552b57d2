"""MRR month-end snapshots and movements (METRICS.md sections 1-2) as Ibis expressions.

Exact arithmetic on every engine (docs/metrics.md, "Rounding"): amounts become integers
of 1/10,000 of the currency unit; a term's MRR is `amount / billing_period_months` held
exactly as an integer over the common denominator L = lcm(billing periods present).
An account's month-end snapshot is that exact sum rounded half-up to whole cents, once;
every total and movement is integer arithmetic on those cents, so
MRR(m) - MRR(m-1) = new + reactivation + expansion - contraction - churn holds exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from tenure.analytics.compiled import Params, Query, snapshot_memo, table_signature
from tenure.analytics.days import day_number
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.tables import AMOUNT_UNITS
from tenure.analytics.results import RevenueGroup, RevenueMonth, RevenueSeries, cents_to_money
from tenure.errors import Invalid
from tenure.kit.timeutil import month_end

UNITS_PER_CENT = AMOUNT_UNITS // 100
# Integers stay exact below 2**53 even where an engine divides in floating point
# (SQLite and Spark compile `//` to FLOOR(x / y) on doubles).
EXACT_LIMIT = 2**53


@dataclass(frozen=True)
class Scale:
    """L: the common denominator of term MRR; first_month: the earliest term start.
    In a compiled-once query L is an int64 parameter (`compiled.py`)."""

    denominator: int | ir.IntegerValue
    first_month: int | None


def paying_terms(terms: ir.Table) -> ir.Table:
    return terms.filter(terms.amount > 0)


def _term_mrr(paying: ir.Table) -> ir.FloatingValue:
    return paying.amount.cast("float64") / paying.billing_period_months


def _scale_rows(terms: ir.Table, params: Params, by: str | None) -> ir.Table:
    """One row per billing period present, each with the earliest paying month and the
    MRR of all paying terms together, a bound on any account's MRR that needs no grouping
    (a cross join of the two small aggregates: one query)."""
    paying = paying_terms(terms)
    periods = paying.group_by("billing_period_months").aggregate()
    overall = paying.aggregate(bound=_term_mrr(paying).sum(), first=paying.start_month.min())
    return periods.cross_join(overall).select(
        period=periods.billing_period_months.cast("int64"),
        bound=overall.bound.cast("float64"),
        first=overall.first.cast("int64"),
    )


def _account_bound_rows(terms: ir.Table, params: Params, by: str | None) -> ir.Table:
    """The largest MRR of one account (summing its paying terms), in one row."""
    paying = paying_terms(terms)
    per_account = paying.group_by("account_id").aggregate(bound=_term_mrr(paying).sum())
    return per_account.aggregate(bound=per_account.bound.max().cast("float64"))


SCALE_QUERY = Query("scale", (), _scale_rows)
ACCOUNT_BOUND_QUERY = Query("account bound", (), _account_bound_rows)


def measure_scale(terms: ir.Table) -> Scale:
    """L and the bound check from one (compiled once) query on `terms`' engine; measured
    once per loaded snapshot (`compiled.mark_snapshot`), every time on a live database."""
    backend = terms._find_backend()
    memo = snapshot_memo(backend)
    key = ("scale", table_signature(terms))
    if memo is not None and key in memo:
        return memo[key]
    scale = scale_query(backend, terms)
    if memo is not None:
        memo[key] = scale
    return scale


def scale_query(backend: Any, terms: ir.Table) -> Scale:
    """The scale from its query, never from the memo. Exact integers need
    2 x 10,000 x L x (an account's MRR) below 2**53: checked against the MRR of all
    terms together first, and only when that is too large against the largest account's."""
    rows = SCALE_QUERY.run(backend, terms, {}).to_pylist()
    denominator = math.lcm(*(int(row["period"]) for row in rows)) or 1
    bound = float(rows[0]["bound"] or 0) if rows else 0.0
    if _inexact(bound, denominator):
        bound = float(ACCOUNT_BOUND_QUERY.run(backend, terms, {}).column("bound")[0].as_py() or 0)
    if _inexact(bound, denominator):
        raise Invalid(
            f"cannot compute MRR exactly: billing periods with common denominator "
            f"{denominator} and an account MRR up to {bound:,.2f} exceed exact integer range"
        )
    first = rows[0]["first"] if rows else None
    return Scale(denominator=denominator, first_month=None if first is None else int(first))


def _inexact(mrr: float, denominator: int) -> bool:
    return mrr * AMOUNT_UNITS * denominator * 2 >= EXACT_LIMIT


def term_coverage(terms: ir.Table, scale: Scale) -> ir.Table:
    """Per paying term: the month indexes lo..hi whose last day it covers, and its MRR in
    units of 1/(10,000 L). A term covers the last day of month m when
    start <= month_end(m) < end, i.e. index(start) <= m <= index(end) - 1."""
    paying = paying_terms(terms)
    covered = paying.select(
        "account_id",
        lo=paying.start_month,
        hi=(paying.end_month - 1).coalesce(ibis.literal(10**7, type="int64")),
        units=term_units(paying, scale),
    )
    return covered.filter(covered.lo <= covered.hi)


def term_units(terms: ir.Table, scale: Scale) -> ir.IntegerValue:
    """A term's MRR as an exact integer in units of 1/(10,000 L) of the currency."""
    per_period = _denominator(scale) // terms.billing_period_months
    return terms.amount_units * per_period.cast("int64")


def _denominator(scale: Scale) -> ir.IntegerValue:
    if isinstance(scale.denominator, ir.Expr):
        return scale.denominator
    return ibis.literal(scale.denominator, type="int64")


def units_to_cents(units: ir.IntegerValue, scale: Scale, times: int = 1) -> ir.IntegerValue:
    """An exact sum of term units (times `times`, e.g. 12 for ARR) rounded half up to
    whole cents, once."""
    per_cent = UNITS_PER_CENT * scale.denominator
    if isinstance(per_cent, ir.Expr):
        per_cent = per_cent.cast("int64")
    return ((units.cast("int64") * times + per_cent // 2) // per_cent).cast("int64")


def snapshot_at(terms: ir.Table, scale: Scale, month: int | ir.IntegerValue) -> ir.Table:
    """MRR(a, month) in cents per account paying at that month end (cents > 0): one pass
    over the terms covering it."""
    covered = term_coverage(terms, scale)
    at = covered.filter((covered.lo <= month) & (covered.hi >= month))
    summed = at.group_by("account_id").aggregate(units=at.units.sum())
    rows = summed.select("account_id", cents=units_to_cents(summed.units, scale))
    return rows.filter(rows.cents > 0)


def _amount_if(condition: ir.BooleanValue, value: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, value, 0).sum().cast("int64")


def _count_if(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).sum().cast("int64")


MONTH_COLUMNS = (
    "mrr", "customers", "new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
    "reactivation_mrr", "new_customers", "churned_customers", "reactivated_customers",
    "expanded_customers", "contracted_customers",
)  # fmt: skip


def movement_kinds(rows: ir.Table) -> dict[str, ir.BooleanValue]:
    """The section 2 movement of an account's month, by name, over rows with cur, prev
    (cents of MRR(a, m) and MRR(a, m - 1)), month_idx and first_paid; at most one holds."""
    cur, prev = rows.cur, rows.prev
    started = (prev == 0) & (cur > 0)
    return {
        "new": started & (rows.first_paid == rows.month_idx),
        "reactivation": started & (rows.first_paid < rows.month_idx),
        "expansion": (prev > 0) & (cur > prev),
        "contraction": (prev > 0) & (cur > 0) & (cur < prev),
        "churn": (prev > 0) & (cur == 0),
    }


def movement_measures(movements: ir.Table) -> dict[str, ir.Value]:
    """Section 2 movement sums and counts over rows with cur, prev, month_idx, first_paid."""
    cur, prev = movements.cur, movements.prev
    kinds = movement_kinds(movements)
    is_new, is_back, grew = kinds["new"], kinds["reactivation"], kinds["expansion"]
    shrank, lost = kinds["contraction"], kinds["churn"]
    return {
        "new_mrr": _amount_if(is_new, cur),
        "expansion_mrr": _amount_if(grew, cur - prev),
        "contraction_mrr": _amount_if(shrank, prev - cur),
        "churned_mrr": _amount_if(lost, prev),
        "reactivation_mrr": _amount_if(is_back, cur),
        "new_customers": _count_if(is_new),
        "churned_customers": _count_if(lost),
        "reactivated_customers": _count_if(is_back),
        "expanded_customers": _count_if(grew),
        "contracted_customers": _count_if(shrank),
    }


def account_changes(terms: ir.Table, scale: Scale, last_month: int) -> ir.Table:
    """Per account, only the months up to last_month where MRR(a, m) != MRR(a, m-1):
    cur, prev (cents) and first_paid. Built from term boundaries, not account x month:
    each term adds its units in month lo and removes them in hi + 1; the running sum per
    account is the exact MRR from that month until the account's next boundary, so the
    previous boundary's snapshot is MRR(m-1). O(terms) rows instead of O(accounts x months).
    """
    covered = term_coverage(terms, scale)
    starts = covered.filter(covered.lo <= last_month)
    starts = starts.select("account_id", month_idx=starts.lo, delta=starts.units)
    ends = covered.filter(covered.hi < last_month)
    ends = ends.select("account_id", month_idx=ends.hi + 1, delta=-ends.units)
    events = starts.union(ends, distinct=False)
    net = events.group_by("account_id", "month_idx").aggregate(delta=events.delta.sum())
    running = ibis.window(group_by="account_id", order_by="month_idx", rows=(None, 0))
    level = net.delta.sum().over(running)
    # the previous boundary's level is this one's minus this month's net change (0 before
    # the account's first boundary): one window pass instead of a second one for lag()
    changes = net.select(
        "account_id", "month_idx",
        cur=units_to_cents(level, scale), prev=units_to_cents(level - net.delta, scale),
    )  # fmt: skip
    levels = changes
    paying = levels.filter(levels.cur > 0)
    firsts = paying.group_by("account_id").aggregate(first_paid=paying.month_idx.min())
    moved = changes.filter(changes.cur != changes.prev)
    return moved.join(firsts, "account_id")


def monthly_changes(changes: ir.Table, keys: tuple[str, ...] = ()) -> ir.Table:
    """Per month with some change (and per value of `keys`): the net change of MRR (cents)
    and of paying customers, and the section 2 movements. At most one row per month and
    group, so the series is filled in and summed up in Python (`_fill`)."""
    cur, prev = changes.cur, changes.prev
    return changes.group_by([*keys, "month_idx"]).aggregate(
        mrr_change=(cur - prev).sum().cast("int64"),
        customer_change=(ibis.ifelse(cur > 0, 1, 0) - ibis.ifelse(prev > 0, 1, 0)).sum().cast("int64"),
        **movement_measures(changes),
    )


def _changes_rows(source: ir.Table | LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once revenue query: monthly changes up to month `last`, L = `denominator`;
    with `by`, per group of the dimension as of day number `reference_day`."""
    terms = source if isinstance(source, ir.Table) else source.terms
    changes = account_changes(terms, Scale(params["denominator"], None), params["last"])
    if by is None:
        return monthly_changes(changes)
    assert isinstance(source, LedgerTables)
    labelled = with_group(changes, source, by, params["reference_day"])
    return monthly_changes(labelled, keys=("group",))


REVENUE_QUERY = Query("revenue", ("denominator", "last", "reference_day"), _changes_rows)
MOVEMENT_COLUMNS = MONTH_COLUMNS[2:]


def _run_changes(source: ir.Table | LedgerTables, end: date, by: str | None) -> list[dict[str, Any]]:
    terms = source if isinstance(source, ir.Table) else source.terms
    values = {"denominator": measure_scale(terms).denominator, "last": month_index(end),
              "reference_day": day_number(month_end(end))}  # fmt: skip
    return REVENUE_QUERY.run(terms._find_backend(), source, values, by).to_pylist()


def _fill(rows: list[dict[str, Any]], first: int, last: int) -> list[dict[str, int]]:
    """One row per month first..last: MRR and customers are running sums of the net
    changes (from the first change on), movements are the month's own, zeros elsewhere."""
    by_month = {int(row["month_idx"]): row for row in rows}
    mrr = sum(int(r["mrr_change"]) for m, r in by_month.items() if m < first)
    customers = sum(int(r["customer_change"]) for m, r in by_month.items() if m < first)
    filled = []
    for month in range(first, last + 1):
        row = by_month.get(month)
        if row is not None:
            mrr += int(row["mrr_change"])
            customers += int(row["customer_change"])
        moves = {name: int(row[name]) if row else 0 for name in MOVEMENT_COLUMNS}
        filled.append({"month_idx": month, "mrr": mrr, "customers": customers, **moves})
    return filled


def compute_revenue(terms: ir.Table, start: date, end: date) -> RevenueSeries:
    """Run the series on the engine `terms` is bound to and return exact results: the
    month before `start` (the opening snapshot) to `end`."""
    first, last = month_index(start) - 1, month_index(end)
    return _series(start, end, _fill(_run_changes(terms, end, None), first, last))


def _series(start: date, end: date, rows: list[dict[str, Any]]) -> RevenueSeries:
    opening, months = rows[0], rows[1:]
    return RevenueSeries(
        start=start,
        end=end,
        opening_mrr=cents_to_money(opening["mrr"]),
        opening_customers=int(opening["customers"]),
        months=tuple(_month(row) for row in months),
    )


def _month(row: dict[str, int]) -> RevenueMonth:
    values = {name: int(row[name]) for name in MONTH_COLUMNS}
    money = {name: cents_to_money(v) for name, v in values.items() if name.endswith("mrr")}
    return RevenueMonth(month=month_of_index(int(row["month_idx"])), **{**values, **money})


def compute_revenue_by(source: LedgerTables, start: date, end: date, by: str | None) -> RevenueSeries:
    """The series overall and, with `by`, one series per group of the dimension (as of
    the last day of `end`: an account's plan is the one it pays for then)."""
    total = compute_revenue(source.terms, start, end)
    if by is None:
        return total
    first, last = month_index(start) - 1, month_index(end)
    per_group: dict[str, list[dict[str, Any]]] = {}
    for row in _run_changes(source, end, by):
        per_group.setdefault(row["group"], []).append(row)
    groups = tuple(
        RevenueGroup(name, _series(start, end, _fill(group_rows, first, last)))
        for name, group_rows in sorted(per_group.items())
    )
    return replace(total, by=by, groups=groups)
