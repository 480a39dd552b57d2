"""Retention over a period (METRICS.md section 3) as Ibis expressions.

The start cohort C is every account with MRR(a, s-1) > 0. From the month-end snapshots
of s-1 and e (rounded to cents once per account, as in `revenue`):
NRR = sum MRR(a, e) / sum MRR(a, s-1), GRR = sum min(MRR(a, e), MRR(a, s-1)) / the same,
logo churn rate = |{a in C: MRR(a, e) = 0}| / |C|. Nothing in between matters: an
account that contracts and expands back within the period is unchanged.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import day_number
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import (
    PeriodRetention,
    RetentionAccount,
    RetentionFigures,
    RetentionGroup,
)
from tenure.analytics.lazy import LazyRows
from tenure.analytics.months import month_index
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, measure_scale, term_coverage, units_to_cents


def _retention_rows(source: LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once retention query: per account of C (ordered by external_id) its
    group, start_cents = MRR(a, s-1) (month `opening`), end_cents = MRR(a, e) (month
    `closing`) and movement. One pass over the terms covering either month end, no grid."""
    terms = source.terms  # only terms covering some day from one month end to the other
    opening, closing = params["opening"], params["closing"]
    terms = terms.filter(
        (terms.start_month <= closing) & (terms.end_month.isnull() | (terms.end_month > opening))
    )
    covered = term_coverage(terms, Scale(params["denominator"], None))
    relevant = covered.filter(
        ((covered.lo <= opening) & (covered.hi >= opening))
        | ((covered.lo <= closing) & (covered.hi >= closing))
    )
    at_open = (relevant.lo <= opening) & (relevant.hi >= opening)
    at_close = (relevant.lo <= closing) & (relevant.hi >= closing)
    per_account = relevant.group_by("account_id").aggregate(
        start_units=ibis.ifelse(at_open, relevant.units, 0).sum(),
        end_units=ibis.ifelse(at_close, relevant.units, 0).sum(),
    )
    scale = Scale(params["denominator"], None)
    cents = per_account.select(
        "account_id",
        start_cents=units_to_cents(per_account.start_units, scale),
        end_cents=units_to_cents(per_account.end_units, scale),
    )
    cohort = cents.filter(cents.start_cents > 0)
    cohort = cohort.mutate(movement=_movement(cohort.start_cents, cohort.end_cents))
    rows = with_group(cohort, source, by, params["reference_day"])
    labels = source.labels
    joined = rows.join(labels, rows.account_id == labels.account_id)
    return joined.select(
        labels.external_id, rows.group, rows.start_cents, rows.end_cents, rows.movement
    ).order_by("external_id")


RETENTION_QUERY = Query(
    "retention", ("denominator", "opening", "closing", "reference_day"), _retention_rows
)


def _movement(before: ir.IntegerValue, after: ir.IntegerValue) -> ir.StringValue:
    return ibis.ifelse(
        after == 0,
        "churned",
        ibis.ifelse(after < before, "contracted", ibis.ifelse(after > before, "expanded", "unchanged")),
    )


def cohort_figures(before: np.ndarray, after: np.ndarray) -> RetentionFigures:
    """The section 3 sums over a set of cohort accounts (integer cents, exact in int64)."""
    churned, grew = after == 0, after > before
    shrank = (after > 0) & (after < before)
    counts = {
        "start_customers": len(before),
        "churned_customers": int(churned.sum()),
        "contracted_customers": int(shrank.sum()),
        "expanded_customers": int(grew.sum()),
    }
    money = {
        "start_mrr": before.sum(),
        "end_mrr": after.sum(),
        "retained_mrr": np.minimum(before, after).sum(),
        "expansion_mrr": (after - before)[grew].sum(),
        "contraction_mrr": (before - after)[shrank].sum(),
        "churned_mrr": before[churned].sum(),
    }
    return RetentionFigures(**counts, **{k: cents_to_money(int(v)) for k, v in money.items()})


def compute_retention(
    source: LedgerTables, start: date, end: date, by: str | None = None
) -> PeriodRetention:
    """Section 3 from the first day of month `start` to the last day of month `end`:
    one query for the cohort's accounts; the figures are sums over those rows."""
    values = {"denominator": measure_scale(source.terms).denominator,
              "opening": month_index(start) - 1, "closing": month_index(end),
              "reference_day": day_number(start - timedelta(days=1))}  # fmt: skip
    table = RETENTION_QUERY.run(source.base.backend, source, values, by)
    before = table.column("start_cents").to_numpy().astype(np.int64)
    after = table.column("end_cents").to_numpy().astype(np.int64)
    groups: tuple[RetentionGroup, ...] = ()
    if by is not None:
        labels = np.array(table.column("group").to_pylist(), dtype=object)
        groups = tuple(
            RetentionGroup(name, cohort_figures(before[labels == name], after[labels == name]))
            for name in sorted(set(labels.tolist()))
        )
    accounts = LazyRows(table, _account)
    return PeriodRetention(start, end, by, cohort_figures(before, after), groups, accounts)


def _account(row: dict[str, Any]) -> RetentionAccount:
    return RetentionAccount(
        external_id=row["external_id"],
        group=row["group"],
        start_mrr=cents_to_money(row["start_cents"]),
        end_mrr=cents_to_money(row["end_cents"]),
        movement=row["movement"],
    )
