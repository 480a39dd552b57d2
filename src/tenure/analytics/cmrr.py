"""Committed MRR (METRICS.md section 5) as of a day, with its parts, over `term_details`.

Per account, each part is the exact sum of its terms' MRR rounded to cents once:
- mrr: paying terms active on the day (start <= d < end);
- future_mrr: signed paying terms that start after the day (signed_at empty or <= d);
- replaced_mrr: active terms without a notice that end on or before the start of one of
  the account's future terms (the future term replaces them);
- canceled_mrr: active terms with a cancellation notice received on or before the day.
CMRR = mrr + future_mrr - replaced_mrr - canceled_mrr.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.metric_results import Cmrr, CmrrAccount, CmrrFigures, CmrrGroup
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, measure_scale, term_units, units_to_cents

PARTS = ("mrr", "future_mrr", "replaced_mrr", "canceled_mrr")


def term_parts(details: ir.Table, scale: Scale, day: date) -> ir.Table:
    """(account_id, part, units): one row per term and part it contributes to."""
    d = ibis.literal(day)
    paying = details.filter(details.amount > 0)
    paying = paying.mutate(units=term_units(paying, scale))
    active = paying.filter((paying.start_date <= d) & (paying.end_date.isnull() | (paying.end_date > d)))
    future = paying.filter((paying.start_date > d) & (paying.signed_at.isnull() | (paying.signed_at <= d)))
    noticed = active.canceled_at.notnull() & (active.canceled_at <= d)
    canceled, kept = active.filter(noticed), active.filter(~noticed)
    latest = future.group_by(future_account="account_id").aggregate(latest=future.start_date.max())
    replaced = kept.join(
        latest, [kept.account_id == latest.future_account, kept.end_date <= latest.latest]
    )
    parts = [(active, "mrr"), (future, "future_mrr"), (replaced, "replaced_mrr"),
             (canceled, "canceled_mrr")]  # fmt: skip
    rows = [
        t.select(
            account_id=t.account_id.cast("int64"),  # one nullability for the union
            units=t.units.cast("int64"),
            part=ibis.literal(name, type="string"),
        )
        for t, name in parts
    ]
    return rows[0].union(*rows[1:], distinct=False)


def account_parts(details: ir.Table, scale: Scale, day: date) -> ir.Table:
    parts = term_parts(details, scale, day)
    sums = {
        name: units_to_cents(ibis.ifelse(parts.part == name, parts.units, 0).sum(), scale)
        for name in PARTS
    }
    return parts.group_by("account_id").aggregate(**sums)


def cmrr_measures(rows: ir.Table) -> dict[str, ir.Value]:
    sums = {name: rows[name].sum().coalesce(0).cast("int64") for name in PARTS}
    return {**sums, "customers": ibis.ifelse(rows.mrr > 0, 1, 0).sum().coalesce(0).cast("int64")}


def _figures(row: dict[str, int]) -> CmrrFigures:
    money = {name: cents_to_money(int(row[name] or 0)) for name in PARTS}
    return CmrrFigures(**money, customers=int(row["customers"] or 0))


def compute_cmrr(source: LedgerTables, day: date, by: str | None = None) -> Cmrr:
    scale = measure_scale(source.terms)
    rows = with_group(account_parts(source.term_details, scale, day), source, by, day)
    total = rows.aggregate(**cmrr_measures(rows)).to_pyarrow().to_pylist()[0]
    groups: tuple[CmrrGroup, ...] = ()
    if by is not None:
        grouped = rows.group_by("group").aggregate(**cmrr_measures(rows)).order_by("group")
        groups = tuple(CmrrGroup(r["group"], _figures(r)) for r in grouped.to_pyarrow().to_pylist())
    return Cmrr(day, by, _figures(total), groups, _accounts(rows, source))


def _accounts(rows: ir.Table, source: LedgerTables) -> tuple[CmrrAccount, ...]:
    """Accounts whose CMRR differs from their MRR, by external_id."""
    moving = rows.filter((rows.future_mrr != 0) | (rows.replaced_mrr != 0) | (rows.canceled_mrr != 0))
    labels = source.labels
    joined = moving.join(labels, moving.account_id == labels.account_id)
    listed = joined.select(labels.external_id, moving.group, *(moving[p] for p in PARTS))
    return tuple(
        CmrrAccount(row["external_id"], row["group"], _figures({**row, "customers": 0}))
        for row in listed.order_by("external_id").to_pyarrow().to_pylist()
    )
