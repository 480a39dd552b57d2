"""Rich tables for people of `tenure metrics revenue|movements|retention|renewals|economics|cmrr`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.table import Table

from tenure.metrics.schemas import (
    CmrrOut,
    EconomicsOut,
    RenewalsOut,
    RetentionOut,
    RevenueMonthOut,
    RevenueMovementsOut,
    RevenueSeriesOut,
)


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return f"{value:,.4f}" if value.as_tuple().exponent == -4 else f"{value:,.2f}"
    return str(value)


def _table(title: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[object]]]) -> Table:
    table = Table(title=title)
    table.add_column("group")
    for column in columns:
        table.add_column(column, justify="right")
    for name, values in rows:
        table.add_row(name, *(_text(v) for v in values))
    return table


def _rows(document: object, columns: Sequence[str]) -> list[tuple[str, list[object]]]:
    rows = [("all", [getattr(document, c) for c in columns])]
    for group in getattr(document, "groups", []):
        rows.append((group.group, [getattr(group, c) for c in columns]))
    return rows


def retention_table(document: RetentionOut) -> Table:
    columns = ("start_customers", "start_mrr", "end_mrr", "nrr", "grr", "churned_customers",
               "logo_churn_rate")  # fmt: skip
    title = f"Retention {document.from_month} to {document.to_month}"
    return _table(title, columns, _rows(document, columns))


def renewals_table(document: RenewalsOut) -> Table:
    columns = ("due_customers", "renewed_customers", "pending_customers", "churned_customers",
               "logo_renewal_rate", "due_arr", "renewed_arr", "arr_renewal_rate")  # fmt: skip
    title = f"Renewals {document.from_day} to {document.to_day} as of {document.as_of}"
    return _table(title, columns, _rows(document, columns))


def economics_table(document: EconomicsOut) -> Table:
    columns = ("arpa", "monthly_churn_rate", "ltv", "cac", "ltv_to_cac", "cac_payback_months")
    title = f"Unit economics {document.from_month} to {document.to_month}"
    return _table(title, columns, _rows(document, columns))


def cmrr_table(document: CmrrOut) -> Table:
    columns = ("mrr", "future_mrr", "replaced_mrr", "canceled_mrr", "cmrr")
    return _table(f"CMRR as of {document.as_of}", columns, _rows(document, columns))


def _movement_row(m: RevenueMonthOut) -> list[str]:
    return [
        f"{m.mrr:,.2f}",
        f"{m.new_mrr:,.2f}",
        f"{m.expansion_mrr:,.2f}",
        f"-{m.contraction_mrr:,.2f}" if m.contraction_mrr else "0.00",
        f"-{m.churned_mrr:,.2f}" if m.churned_mrr else "0.00",
        f"{m.reactivation_mrr:,.2f}",
        str(m.customers),
    ]


MOVEMENT_HEADERS = ("MRR", "new", "expansion", "contraction", "churn", "reactivation", "customers")


def revenue_tables(document: RevenueSeriesOut) -> list[Table]:
    """The monthly series; with a breakdown, also each group's last month."""
    table = Table(title=f"MRR {document.from_month} to {document.to_month}")
    table.add_column("month")
    for header in MOVEMENT_HEADERS:
        table.add_column(header, justify="right")
    for m in document.months:
        table.add_row(m.month, *_movement_row(m))
    if not document.groups:
        return [table]
    last = document.months[-1].month if document.months else document.to_month
    groups = Table(title=f"MRR by {document.by}, {last}")
    groups.add_column(document.by or "group")
    for header in MOVEMENT_HEADERS:
        groups.add_column(header, justify="right")
    for group in document.groups:
        if group.months:
            groups.add_row(group.group, *_movement_row(group.months[-1]))
    return [table, groups]


def movements_table(document: RevenueMovementsOut) -> Table:
    """One row per account and month with a movement."""
    only = f" ({document.movement})" if document.movement else ""
    table = Table(title=f"MRR movements{only} {document.from_month} to {document.to_month}")
    columns = ("month", "account", *(("group",) if document.by else ()), "movement")
    for column in columns:
        table.add_column(column)
    for column in ("MRR before", "MRR after", "change"):
        table.add_column(column, justify="right")
    for a in document.accounts:
        grouped = (a.group or "",) if document.by else ()
        table.add_row(a.month, a.external_id, *grouped, a.movement,
                      *(_text(v) for v in (a.mrr_before, a.mrr_after, a.change)))  # fmt: skip
    return table
