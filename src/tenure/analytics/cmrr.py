"""Committed MRR (METRICS.md section 5) as of a day, with its parts, over `term_details`.

Per account, each part is the exact sum of its terms' MRR rounded to cents once:
- mrr: paying terms active on the day (start <= d < end);
- future_mrr: signed paying terms that start after the day (signed_at empty or <= d);
- replaced_mrr: active terms without a notice that end on or before the start of one of
  the account's future terms (the future term replaces them);
- canceled_mrr: active terms with a cancellation notice received on or before the day.
CMRR = mrr + future_mrr - replaced_mrr - canceled_mrr.

One compiled-once query (`compiled.Query`) gives a row per account with an active or
future term: its parts in cents and group; the day is a day-number parameter compared
with the terms' `start_day`/`end_day` (only the few terms whose signature or notice
matters get a day number of `signed_at`/`canceled_at`). The figures are integer sums
over those rows; the accounts whose CMRR differs from their MRR are a `LazyRows`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.analytics.compiled import Params, Query
from tenure.analytics.days import date_day_number, day_number
from tenure.analytics.dimensions import with_group
from tenure.analytics.inputs import LedgerTables
from tenure.analytics.lazy import LazyRows
from tenure.analytics.metric_results import Cmrr, CmrrAccount, CmrrFigures, CmrrGroup
from tenure.analytics.results import cents_to_money
from tenure.analytics.revenue import Scale, measure_scale, term_units, units_to_cents

PARTS = ("mrr", "future_mrr", "replaced_mrr", "canceled_mrr")


def term_flags(details: ir.Table, scale: Scale, day: ir.IntegerValue) -> ir.Table:
    """The paying terms active on day number `day` or signed to start after it:
    account_id, units (MRR in 1/(10,000 L)), end_day, start_day and the booleans
    active, future and noticed (active with a notice received by the day)."""
    paying = details.filter(details.amount_units > 0)
    active = (paying.start_day <= day) & (paying.end_day.isnull() | (paying.end_day > day))
    signed = paying.signed_at.isnull() | (date_day_number(paying.signed_at) <= day)
    future = (paying.start_day > day) & signed
    chosen = paying.filter(active | future)
    is_active = (chosen.start_day <= day) & (chosen.end_day.isnull() | (chosen.end_day > day))
    noticed = chosen.canceled_at.notnull() & (date_day_number(chosen.canceled_at) <= day)
    return chosen.select(
        "account_id", "start_day", "end_day",
        units=term_units(chosen, scale),
        active=is_active,
        future=~is_active,  # chosen terms are active or future
        noticed=is_active & noticed,
    )  # fmt: skip


def account_parts(details: ir.Table, scale: Scale, day: ir.IntegerValue) -> ir.Table:
    """Per account with an active or future term: the four parts in cents."""
    terms = term_flags(details, scale, day)
    futures = terms.filter(terms.future)
    latest = futures.group_by(future_account="account_id").aggregate(latest=futures.start_day.max())
    joined = terms.left_join(latest, terms.account_id == latest.future_account)
    # an evergreen term (null end_day) or an account without future terms: not replaced
    replaced = joined.active & ~joined.noticed & (joined.end_day <= joined.latest)
    conditions = {
        "mrr": joined.active,
        "future_mrr": joined.future,
        "replaced_mrr": replaced,
        "canceled_mrr": joined.noticed,
    }
    sums = {
        name: units_to_cents(ibis.ifelse(condition, joined.units, 0).sum(), scale)
        for name, condition in conditions.items()
    }
    return joined.group_by("account_id").aggregate(**sums)


def _cmrr_rows(source: LedgerTables, params: Params, by: str | None) -> ir.Table:
    """The compiled-once CMRR query: per account with an active or future term, its
    external_id (null when unlabelled), group (as of the day) and parts in cents."""
    day = params["day"]
    parts = account_parts(source.term_details, Scale(params["denominator"], None), day)
    rows = with_group(parts, source, by, day)
    labels = source.labels
    joined = rows.left_join(labels, rows.account_id == labels.account_id)
    return joined.select(
        external_id=labels.external_id.cast("string"),
        group=rows.group,
        **{name: rows[name].cast("int64") for name in PARTS},
    )


CMRR_QUERY = Query("cmrr", ("denominator", "day"), _cmrr_rows)


def cmrr_figures(parts: dict[str, np.ndarray]) -> CmrrFigures:
    """The section 5 sums over a set of accounts (integer cents, exact in int64)."""
    money = {name: cents_to_money(int(parts[name].sum())) for name in PARTS}
    return CmrrFigures(**money, customers=int((parts["mrr"] > 0).sum()))


def compute_cmrr(source: LedgerTables, day: date, by: str | None = None) -> Cmrr:
    values = {"denominator": measure_scale(source.terms).denominator, "day": day_number(day)}
    table = CMRR_QUERY.run(source.base.backend, source, values, by)
    parts = {name: table.column(name).to_numpy().astype(np.int64) for name in PARTS}
    groups: tuple[CmrrGroup, ...] = ()
    if by is not None:
        labels = np.array(table.column("group").to_pylist(), dtype=object)
        groups = tuple(
            CmrrGroup(name, cmrr_figures({k: v[mask] for k, v in parts.items()}))
            for name in sorted(set(labels.tolist()))
            for mask in [labels == name]
        )
    return Cmrr(day, by, cmrr_figures(parts), groups, _accounts(table, parts))


def _accounts(table: pa.Table, parts: dict[str, np.ndarray]) -> LazyRows[CmrrAccount]:
    """Accounts whose CMRR differs from their MRR, by external_id (code point order)."""
    moving = (parts["future_mrr"] != 0) | (parts["replaced_mrr"] != 0) | (parts["canceled_mrr"] != 0)
    listed = table.filter(pa.array(moving, type=pa.bool_()))
    listed = listed.filter(pc.is_valid(listed.column("external_id")))
    return LazyRows(listed.sort_by("external_id"), _account)


def _account(row: dict[str, Any]) -> CmrrAccount:
    money = {name: cents_to_money(int(row[name])) for name in PARTS}
    return CmrrAccount(row["external_id"], row["group"], CmrrFigures(**money, customers=0))
