"""Retention over a period (METRICS.md section 3) as Ibis expressions.

The start cohort C is every account with MRR(a, s-1) > 0. From the month-end snapshots
of s-1 and e (rounded to cents once per account, as in `revenue`):
NRR = sum MRR(a, e) / sum MRR(a, s-1), GRR = sum min(MRR(a, e), MRR(a, s-1)) / the same,
logo churn rate = |{a in C: MRR(a, e) = 0}| / |C|. Nothing in between matters: an
account that contracts and expands back within the period is unchanged.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import (
    PeriodRetention,
    RetentionAccount,
    RetentionFigures,
    RetentionGroup,
)
from tenure.analytics.months import month_index
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import measure_scale, snapshots_on_grid

COUNT_COLUMNS = ("start_customers", "churned_customers", "contracted_customers",
                 "expanded_customers")  # fmt: skip
MONEY_COLUMNS = ("start_mrr", "end_mrr", "retained_mrr", "expansion_mrr", "contraction_mrr",
                 "churned_mrr")  # fmt: skip


def month_list(indexes: list[int]) -> ir.Table:
    return ibis.memtable({"month_idx": indexes}, schema=ibis.schema({"month_idx": "int64"}))


def cohort_rows(terms: ir.Table, start: date, end: date) -> ir.Table:
    """Per account of C: start_cents = MRR(a, s-1), end_cents = MRR(a, e), movement."""
    opening, closing = month_index(start) - 1, month_index(end)
    scale = measure_scale(terms)
    snapshots = snapshots_on_grid(terms, scale, month_list([opening, closing]))
    first = snapshots.filter(snapshots.month_idx == opening)
    last = snapshots.filter(snapshots.month_idx == closing)
    joined = first.left_join(last, first.account_id == last.account_id)
    rows = joined.select(
        account_id=first.account_id,
        start_cents=first.cents,
        end_cents=last.cents.coalesce(0).cast("int64"),
    )
    return rows.mutate(movement=_movement(rows.start_cents, rows.end_cents))


def _movement(before: ir.IntegerValue, after: ir.IntegerValue) -> ir.StringValue:
    return ibis.ifelse(
        after == 0,
        "churned",
        ibis.ifelse(after < before, "contracted", ibis.ifelse(after > before, "expanded", "unchanged")),
    )


def _sum_if(condition: ir.BooleanValue, value: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, value, 0).sum().coalesce(0).cast("int64")


def cohort_measures(rows: ir.Table) -> dict[str, ir.Value]:
    """The section 3 sums over a set of cohort rows (money in cents)."""
    before, after = rows.start_cents, rows.end_cents
    return {
        "start_customers": rows.count().cast("int64"),
        "start_mrr": before.sum().coalesce(0).cast("int64"),
        "end_mrr": after.sum().coalesce(0).cast("int64"),
        "retained_mrr": ibis.ifelse(after < before, after, before).sum().coalesce(0).cast("int64"),
        "expansion_mrr": _sum_if(after > before, after - before),
        "contraction_mrr": _sum_if((after > 0) & (after < before), before - after),
        "churned_mrr": _sum_if(after == 0, before),
        "churned_customers": _sum_if(after == 0, ibis.literal(1)),
        "contracted_customers": _sum_if((after > 0) & (after < before), ibis.literal(1)),
        "expanded_customers": _sum_if(after > before, ibis.literal(1)),
    }


def _figures(row: dict[str, int]) -> RetentionFigures:
    counts = {name: int(row[name] or 0) for name in COUNT_COLUMNS}
    money = {name: cents_to_money(int(row[name] or 0)) for name in MONEY_COLUMNS}
    return RetentionFigures(**counts, **money)


def compute_retention(
    source: LedgerTables, start: date, end: date, by: str | None = None
) -> PeriodRetention:
    """Section 3 from the first day of month `start` to the last day of month `end`."""
    rows = with_group(cohort_rows(source.terms, start, end), source, by, start - timedelta(days=1))
    total = rows.aggregate(**cohort_measures(rows)).to_pyarrow().to_pylist()[0]
    groups: tuple[RetentionGroup, ...] = ()
    if by is not None:
        grouped = rows.group_by("group").aggregate(**cohort_measures(rows)).order_by("group")
        groups = tuple(
            RetentionGroup(row["group"], _figures(row)) for row in grouped.to_pyarrow().to_pylist()
        )
    return PeriodRetention(start, end, by, _figures(total), groups, _accounts(rows, source))


def _accounts(rows: ir.Table, source: LedgerTables) -> tuple[RetentionAccount, ...]:
    labels = source.labels
    joined = rows.join(labels, rows.account_id == labels.account_id)
    listed = joined.select(
        labels.external_id, rows.group, rows.start_cents, rows.end_cents, rows.movement
    ).order_by("external_id")
    return tuple(
        RetentionAccount(
            external_id=row["external_id"],
            group=row["group"],
            start_mrr=cents_to_money(row["start_cents"]),
            end_mrr=cents_to_money(row["end_cents"]),
            movement=row["movement"],
        )
        for row in listed.to_pyarrow().to_pylist()
    )
