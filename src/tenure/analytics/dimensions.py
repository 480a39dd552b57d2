"""Breakdown dimensions: a registry of name -> the account's group as an Ibis table.

Every figure of sections 3-5 can be broken down `--by` one of these. A dimension maps
each account to one group label as of a reference day (`(none)` when the account has
no value):

| name | group |
|---|---|
| segment | the account's segment |
| industry | the account's industry |
| country | the account's country |
| owner | the owner CSM's email |
| plan | the plan of the account's latest-starting paying term that starts on or before the reference day (ties: the larger term id) |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import ibis
import ibis.expr.types as ir

from tenure.analytics.inputs import LedgerTables
from tenure.errors import Invalid

NONE_GROUP = "(none)"
Reference = date | ir.IntegerValue  # a day, or a day number (`days.py`) parameter
Dimension = Callable[[LedgerTables, Reference], ir.Table]  # -> (account_id, group)


def _attribute(table: Callable[[LedgerTables], ir.Table], column: str) -> Dimension:
    def groups(source: LedgerTables, reference: Reference) -> ir.Table:
        rows = table(source)
        return rows.select("account_id", group=rows[column].cast("string"))

    return groups


def _plan(source: LedgerTables, reference: Reference) -> ir.Table:
    terms = source.term_details
    if isinstance(reference, date):
        on_or_before = terms.start_date <= ibis.literal(reference)
    else:
        on_or_before = terms.start_day <= reference
    started = terms.filter((terms.amount > 0) & on_or_before)
    order = [ibis.desc(started.start_date), ibis.desc(started.term_id)]
    ranked = started.select(
        "account_id", "plan", rank=ibis.row_number().over(group_by="account_id", order_by=order)
    )
    latest = ranked.filter(ranked.rank == 0)
    return latest.select("account_id", group=latest.plan.cast("string"))


DIMENSIONS: dict[str, Dimension] = {
    "segment": _attribute(lambda source: source.accounts, "segment"),
    "industry": _attribute(lambda source: source.accounts, "industry"),
    "owner": _attribute(lambda source: source.labels, "owner"),
    "plan": _plan,
    "country": _attribute(lambda source: source.accounts, "country"),
}


def dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise Invalid(f"by: expected one of {', '.join(DIMENSIONS)}, got {name!r}") from None


def with_group(rows: ir.Table, source: LedgerTables, by: str | None, reference: Reference) -> ir.Table:
    """`rows` (with account_id) plus a `group` column: the dimension's label (NONE_GROUP
    when the account has no value or an empty one), or one group for everything when `by`
    is None."""
    if by is None:
        return rows.mutate(group=ibis.literal(NONE_GROUP, type="string"))
    groups = dimension(by)(source, reference)
    joined = rows.left_join(groups, rows.account_id == groups.account_id)
    labelled = joined.select(
        *(rows[name] for name in rows.columns),
        group=ibis.ifelse(
            groups.group.isnull() | (groups.group == ""), NONE_GROUP, groups.group
        ).cast("string"),
    )
    return labelled
