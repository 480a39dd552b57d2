"""The accounts behind the revenue series (METRICS.md section 2): every account whose
month-end MRR changed in a month, with the movement it counts as.

One compiled-once query over the same per-account boundaries the series sums
(`revenue.account_changes`), classified by the same conditions (`revenue.movement_kinds`),
so for every month and movement the listed accounts add up to the series' figure: new
and reactivation MRR are the sums of `mrr_after`, churned MRR of `mrr_before`, expansion
and contraction of the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow.compute as pc

from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import day_number
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.lazy import LazyRows
from tenure.analytics.months import month_index, month_of_index
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, account_changes, measure_scale, movement_kinds
from tenure.errors import Invalid
from tenure.kit.timeutil import month_end

MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")


@dataclass(frozen=True)
class MovementAccount:
    external_id: str
    group: str
    month: date  # first day of the month whose month-end MRR changed
    movement: str  # one of MOVEMENTS
    mrr_before: Decimal  # MRR(a, m - 1)
    mrr_after: Decimal  # MRR(a, m)

    @property
    def change(self) -> Decimal:
        return self.mrr_after - self.mrr_before


@dataclass(frozen=True)
class RevenueMovements:
    start: date
    end: date
    movement: str | None  # only this movement, or every one
    by: str | None
    accounts: Sequence[MovementAccount]  # by month, then external_id


def _movement(rows: ir.Table) -> ir.StringValue:
    kinds = movement_kinds(rows)
    return ibis.cases(*((kinds[name], name) for name in MOVEMENTS))


def _movement_rows(source: LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once query: per account and month first..last with a change of MRR,
    its group (as of day number `reference_day`), movement, cents before and after."""
    changes = account_changes(source.terms, Scale(params["denominator"], None), params["last"])
    moved = changes.filter(changes.month_idx >= params["first"])
    rows = moved.select("account_id", "month_idx", "cur", "prev", movement=_movement(moved))
    labelled = with_group(rows, source, by, params["reference_day"])
    labels = source.labels
    joined = labelled.join(labels, labelled.account_id == labels.account_id)
    listed = joined.select(
        labels.external_id, labelled.group, labelled.month_idx, labelled.movement,
        labelled.prev, labelled.cur,
    )  # fmt: skip
    return listed.order_by(["month_idx", "external_id"])


MOVEMENTS_QUERY = Query(
    "revenue movements", ("denominator", "first", "last", "reference_day"), _movement_rows
)


def compute_movements(
    source: LedgerTables, start: date, end: date, movement: str | None = None,
    by: str | None = None,
) -> RevenueMovements:  # fmt: skip
    """The accounts moving in the months start..end (groups as of the last day of `end`,
    like `revenue.compute_revenue_by`), all movements or only `movement`."""
    if movement is not None and movement not in MOVEMENTS:
        raise Invalid(f"movement: expected one of {', '.join(MOVEMENTS)}, got {movement!r}")
    values = {"denominator": measure_scale(source.terms).denominator,
              "first": month_index(start), "last": month_index(end),
              "reference_day": day_number(month_end(end))}  # fmt: skip
    table = MOVEMENTS_QUERY.run(source.base.backend, source, values, by)
    if movement is not None:
        table = table.filter(pc.equal(table.column("movement"), movement))
    return RevenueMovements(start, end, movement, by, LazyRows(table, _account))


def _account(row: dict[str, Any]) -> MovementAccount:
    return MovementAccount(
        external_id=row["external_id"],
        group=row["group"],
        month=month_of_index(int(row["month_idx"])),
        movement=row["movement"],
        mrr_before=cents_to_money(row["prev"]),
        mrr_after=cents_to_money(row["cur"]),
    )
