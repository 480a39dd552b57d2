"""Renewals (METRICS.md section 4) as Ibis expressions over `term_details`.

A paying term with end date E in [first, last] is due. Its successors are the account's
other paying terms starting in [E, E + grace_days]. Per due account, as of a day:
renewed when some due term has a successor, else pending while as_of < E + grace_days
for some due term, else churned and released to the sales pool on the latest
E + grace_days. ARR = 12 x amount / billing_period_months, exact per term, summed per
account and rounded to cents once (due ARR over due terms, renewed ARR over the
distinct successors). Days are compared as day numbers (`days.py`, the terms' start_day
and end_day), no date functions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import day_number, day_of_number
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import (
    RenewalAccount,
    RenewalFigures,
    RenewalGroup,
    Renewals,
)
from tenure.analytics.lazy import LazyRows
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, measure_scale, term_units, units_to_cents

COUNT_COLUMNS = ("due_customers", "renewed_customers", "pending_customers", "churned_customers")
Day = int | ir.IntegerValue  # a day number, or a parameter of one


def due_terms(details: ir.Table, scale: Scale, first: Day, last: Day, grace: Day) -> ir.Table:
    """Paying terms ending on days first..last: due_id, account_id, end_day and
    window_day (E + grace) as day numbers."""
    due = details.filter((details.amount > 0) & details.end_day.between(first, last))
    return due.select("account_id", due_id=due.term_id, end_day=due.end_day,
                      window_day=due.end_day + grace, units=term_units(due, scale))  # fmt: skip


def successor_pairs(due: ir.Table, details: ir.Table, scale: Scale, first: Day, latest: Day) -> ir.Table:
    """(account_id, due_id, succ_id, succ_units) for every successor of every due term;
    candidates are the paying terms starting first..latest (latest = last + grace)."""
    paying = details.filter((details.amount > 0) & details.start_day.between(first, latest))
    later = paying.select(
        succ_account=paying.account_id,
        succ_id=paying.term_id,
        succ_day=paying.start_day,
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


def account_outcomes(due: ir.Table, pairs: ir.Table, scale: Scale, as_of: int | ir.Value) -> ir.Table:
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
        pending_any=ibis.ifelse(marked.open & (as_of < marked.window_day), 1, 0).max(),
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


def _renewal_rows(source: LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once renewals query: per due account (by external_id), its group,
    status, due/renewed/gross cents, due terms, window and release day numbers."""
    scale, details = Scale(params["denominator"], None), source.term_details
    first, last = params["first"], params["last"]
    due = due_terms(details, scale, first, last, params["grace"])
    pairs = successor_pairs(due, details, scale, first, params["latest"])
    rows = with_group(account_outcomes(due, pairs, scale, params["as_of"]), source, by,
                      params["reference_day"])  # fmt: skip
    labels = source.labels
    joined = rows.join(labels, rows.account_id == labels.account_id)
    listed = joined.select(labels.external_id, *(rows[c] for c in rows.columns if c != "account_id"))
    return listed.order_by("external_id")


RENEWALS_QUERY = Query(
    "renewals",
    ("denominator", "first", "last", "latest", "grace", "as_of", "reference_day"),
    _renewal_rows,
)


def renewal_figures(status: np.ndarray, due: np.ndarray, renewed: np.ndarray) -> RenewalFigures:
    """Section 4 sums over a set of due accounts (integer cents, exact in int64)."""
    counts = {name: int((status == name.split("_")[0]).sum()) for name in COUNT_COLUMNS[1:]}
    money = {"due_arr": due.sum(), "renewed_arr": renewed.sum(),
             "gross_renewed_arr": np.minimum(renewed, due).sum()}  # fmt: skip
    return RenewalFigures(due_customers=len(status), **counts,
                          **{k: cents_to_money(int(v)) for k, v in money.items()})  # fmt: skip


def compute_renewals(
    source: LedgerTables, first: date, last: date, as_of: date, grace_days: int, by: str | None = None
) -> Renewals:
    """Section 4 for terms ending from `first` to `last` (inclusive), as of `as_of`: one
    query for the due accounts; the figures are sums over those rows."""
    values = {"denominator": measure_scale(source.terms).denominator, "grace": grace_days,
              "as_of": day_number(as_of), "reference_day": day_number(first),
              "first": day_number(first), "last": day_number(last),
              "latest": day_number(last + timedelta(days=grace_days))}  # fmt: skip
    table = RENEWALS_QUERY.run(source.base.backend, source, values, by)
    status = np.array(table.column("status").to_pylist(), dtype=object)
    due = table.column("due_cents").to_numpy().astype(np.int64)
    renewed = table.column("renewed_cents").to_numpy().astype(np.int64)
    groups: tuple[RenewalGroup, ...] = ()
    if by is not None:
        labels = np.array(table.column("group").to_pylist(), dtype=object)
        groups = tuple(
            RenewalGroup(name, renewal_figures(status[mask], due[mask], renewed[mask]))
            for name in sorted(set(labels.tolist()))
            for mask in [labels == name]
        )
    accounts = LazyRows(table, _account)
    figures = renewal_figures(status, due, renewed)
    return Renewals(first, last, as_of, grace_days, by, figures, groups, accounts)


def _account(row: dict[str, Any]) -> RenewalAccount:
    release = row["release_day"]
    return RenewalAccount(
        external_id=row["external_id"],
        group=row["group"],
        status=row["status"],
        due_arr=cents_to_money(row["due_cents"]),
        renewed_arr=cents_to_money(row["renewed_cents"]),
        due_terms=int(row["due_terms"]),
        window_closes_on=day_of_number(row["window_day"]),
        released_to_pool_on=None if release is None else day_of_number(release),
    )
