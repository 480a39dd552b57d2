"""Renewals (METRICS.md section 4) as Ibis expressions over `term_details`.

A paying term with end date E in [first, last] is due. Its successors are the account's
other paying terms starting in [E, E + grace_days]. Per due account, as of a day:
renewed when some due term has a successor, else pending while as_of < E + grace_days
for some due term, else churned and released to the sales pool on the latest
E + grace_days. ARR = 12 x amount / billing_period_months, exact per term, summed per
account and rounded to cents once (due ARR over due terms, renewed ARR over the
distinct successors). Days are compared as day numbers (`days.py`), no date functions.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from tenure.analytics.days import date_day_number, day_number, day_of_number
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import (
    RenewalAccount,
    RenewalFigures,
    RenewalGroup,
    Renewals,
)
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, measure_scale, term_units, units_to_cents

COUNT_COLUMNS = ("due_customers", "renewed_customers", "pending_customers", "churned_customers")
MONEY_COLUMNS = ("due_arr", "renewed_arr", "gross_renewed_arr")


def due_terms(details: ir.Table, scale: Scale, first: date, last: date, grace: int) -> ir.Table:
    """Paying terms ending in [first, last]: due_id, account_id, window_day (E + grace)."""
    paying = details.filter(details.amount > 0)
    due = paying.filter(
        paying.end_date.notnull()
        & (paying.end_date >= ibis.literal(first))
        & (paying.end_date <= ibis.literal(last))
    )
    end_day = date_day_number(due.end_date)
    return due.select(
        "account_id",
        due_id=due.term_id,
        end_day=end_day,
        window_day=end_day + grace,
        units=term_units(due, scale),
    )


def successor_pairs(due: ir.Table, details: ir.Table, scale: Scale) -> ir.Table:
    """(account_id, due_id, succ_id, succ_units) for every successor of every due term."""
    paying = details.filter(details.amount > 0)
    later = paying.select(
        succ_account=paying.account_id,
        succ_id=paying.term_id,
        succ_day=date_day_number(paying.start_date),
        succ_units=term_units(paying, scale),
    )
    joined = due.join(
        later,
        [
            due.account_id == later.succ_account,
            due.due_id != later.succ_id,
            later.succ_day >= due.end_day,
            later.succ_day <= due.window_day,
        ],
    )
    return joined.select(due.account_id, due.due_id, later.succ_id, later.succ_units)


def account_outcomes(due: ir.Table, pairs: ir.Table, scale: Scale, as_of: date) -> ir.Table:
    """Per due account: due/renewed/gross ARR in cents, status, window and release days."""
    renewed_ids = pairs.select(renewed_id=pairs.due_id).distinct()
    marked = due.left_join(renewed_ids, due.due_id == renewed_ids.renewed_id)
    marked = marked.select(
        due.account_id, due.units, due.window_day, open=renewed_ids.renewed_id.isnull()
    )
    no_day = ibis.null().cast("int64")
    per_account = marked.group_by("account_id").aggregate(
        due_units=marked.units.sum(),
        due_terms=marked.count().cast("int64"),
        renewed_any=ibis.ifelse(marked.open, 0, 1).max(),
        pending_any=ibis.ifelse(marked.open & (day_number(as_of) < marked.window_day), 1, 0).max(),
        release_day=ibis.ifelse(marked.open, marked.window_day, no_day).max(),
        window_day=marked.window_day.max(),
    )
    distinct = pairs.select("account_id", "succ_id", "succ_units").distinct()
    renewed = distinct.group_by(succ_account="account_id").aggregate(
        renewed_units=distinct.succ_units.sum()
    )
    joined = per_account.left_join(renewed, per_account.account_id == renewed.succ_account)
    return _with_status(joined, scale, renewed.renewed_units.coalesce(0), no_day)


def _with_status(
    joined: ir.Table, scale: Scale, renewed_units: ir.IntegerValue, no_day: ir.IntegerValue
) -> ir.Table:
    status = ibis.ifelse(
        joined.renewed_any == 1, "renewed", ibis.ifelse(joined.pending_any == 1, "pending", "churned")
    )
    rows = joined.select(
        "account_id",
        "due_terms",
        "window_day",
        status=status,
        due_cents=units_to_cents(joined.due_units, scale, times=12),
        renewed_cents=units_to_cents(renewed_units, scale, times=12),
        release_day=ibis.ifelse(status == "churned", joined.release_day, no_day),
    )
    lower = ibis.ifelse(rows.renewed_cents < rows.due_cents, rows.renewed_cents, rows.due_cents)
    return rows.mutate(gross_cents=lower)


def _count_if(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).sum().coalesce(0).cast("int64")


def renewal_measures(rows: ir.Table) -> dict[str, ir.Value]:
    return {
        "due_customers": rows.count().cast("int64"),
        "renewed_customers": _count_if(rows.status == "renewed"),
        "pending_customers": _count_if(rows.status == "pending"),
        "churned_customers": _count_if(rows.status == "churned"),
        "due_arr": rows.due_cents.sum().coalesce(0).cast("int64"),
        "renewed_arr": rows.renewed_cents.sum().coalesce(0).cast("int64"),
        "gross_renewed_arr": rows.gross_cents.sum().coalesce(0).cast("int64"),
    }


def _figures(row: dict[str, int]) -> RenewalFigures:
    counts = {name: int(row[name] or 0) for name in COUNT_COLUMNS}
    money = {name: cents_to_money(int(row[name] or 0)) for name in MONEY_COLUMNS}
    return RenewalFigures(**counts, **money)


def compute_renewals(
    source: LedgerTables, first: date, last: date, as_of: date, grace_days: int, by: str | None = None
) -> Renewals:
    """Section 4 for terms ending from `first` to `last` (inclusive), as of `as_of`."""
    scale = measure_scale(source.terms)
    due = due_terms(source.term_details, scale, first, last, grace_days)
    outcomes = account_outcomes(due, successor_pairs(due, source.term_details, scale), scale, as_of)
    rows = with_group(outcomes, source, by, first)
    total = rows.aggregate(**renewal_measures(rows)).to_pyarrow().to_pylist()[0]
    groups: tuple[RenewalGroup, ...] = ()
    if by is not None:
        grouped = rows.group_by("group").aggregate(**renewal_measures(rows)).order_by("group")
        groups = tuple(RenewalGroup(r["group"], _figures(r)) for r in grouped.to_pyarrow().to_pylist())
    accounts = _accounts(rows, source)
    return Renewals(first, last, as_of, grace_days, by, _figures(total), groups, accounts)


def _accounts(rows: ir.Table, source: LedgerTables) -> tuple[RenewalAccount, ...]:
    labels = source.labels
    joined = rows.join(labels, rows.account_id == labels.account_id)
    listed = joined.select(labels.external_id, *(rows[c] for c in rows.columns if c != "account_id"))
    return tuple(
        RenewalAccount(
            external_id=row["external_id"],
            group=row["group"],
            status=row["status"],
            due_arr=cents_to_money(row["due_cents"]),
            renewed_arr=cents_to_money(row["renewed_cents"]),
            due_terms=int(row["due_terms"]),
            window_closes_on=day_of_number(row["window_day"]),
            released_to_pool_on=None if row["release_day"] is None else day_of_number(row["release_day"]),
        )
        for row in listed.order_by("external_id").to_pyarrow().to_pylist()
    )
