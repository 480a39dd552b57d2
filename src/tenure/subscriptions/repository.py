"""Queries of the subscriptions domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import Invoice, SubscriptionTerm
from tenure.subscriptions.schemas import TermFilters


def plan_upsert(session: Session, records: Sequence[bulk.Record]) -> bulk.UpsertPlan:
    return bulk.plan_against_table(session, SubscriptionTerm, "external_id", records)


def write(session: Session, plan: bulk.UpsertPlan, batch_rows: int) -> None:
    bulk.apply_plan(session, SubscriptionTerm, plan, batch_rows)


def active_terms(
    session: Session, account_ids: Collection[int], on: date
) -> list[tuple[int, Decimal, int]]:
    """(account_id, amount, billing_period_months) of the terms active on `on`."""
    rows: list[tuple[int, Decimal, int]] = []
    term = SubscriptionTerm
    for chunk in bulk.chunked(sorted(set(account_ids)), bulk.LOOKUP_CHUNK):
        query = select(term.account_id, term.amount, term.billing_period_months).where(
            term.account_id.in_(chunk),
            term.start_date <= on,
            or_(term.end_date.is_(None), term.end_date > on),
        )
        rows.extend((a, Decimal(m), p) for a, m, p in session.execute(query))
    return rows


def list_terms(
    session: Session, filters: TermFilters, limit: int, offset: int
) -> tuple[list[SubscriptionTerm], int]:
    term = SubscriptionTerm
    conditions = []
    if filters.account_id is not None:
        conditions.append(term.account_id == filters.account_id)
    if filters.plan:
        conditions.append(term.plan == filters.plan)
    if filters.active_on:
        conditions.append(term.start_date <= filters.active_on)
        conditions.append(or_(term.end_date.is_(None), term.end_date > filters.active_on))
    total = session.scalar(select(func.count()).select_from(term).where(*conditions)) or 0
    query = (
        select(term)
        .where(*conditions)
        .order_by(term.account_id, term.start_date, term.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query)), total


def term_by_external_id(session: Session, external_id: str) -> SubscriptionTerm | None:
    query = select(SubscriptionTerm).where(SubscriptionTerm.external_id == external_id)
    return session.scalar(query)


def term_lineage(session: Session, external_id: str) -> list[SubscriptionTerm]:
    """The term `external_id` and its successors `external_id@...`, oldest first."""
    term = SubscriptionTerm
    escaped = external_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(term).where(
        or_(term.external_id == external_id, term.external_id.like(f"{escaped}@%", escape="\\"))
    )
    return list(session.scalars(query.order_by(term.start_date, term.id)))


def save_term(session: Session, values: dict[str, object]) -> int:
    term = term_by_external_id(session, str(values["external_id"]))
    if term is None:
        term = SubscriptionTerm(**values)
        session.add(term)
    else:
        for name, value in values.items():
            setattr(term, name, value)
    session.flush()
    return term.id


def save_invoice(session: Session, values: dict[str, object]) -> int:
    query = select(Invoice).where(Invoice.external_id == values["external_id"])
    invoice = session.scalar(query)
    if invoice is None:
        invoice = Invoice(**values)
        session.add(invoice)
    else:
        for name, value in values.items():
            setattr(invoice, name, value)
    session.flush()
    return invoice.id


def move_account(session: Session, from_account: int, to_account: int) -> None:
    for model in (SubscriptionTerm, Invoice):
        session.execute(
            update(model).where(model.account_id == from_account).values(account_id=to_account)
        )
    session.flush()


def mark_overdue(session: Session, today: date) -> int:
    query = (
        update(Invoice)
        .where(Invoice.status == "open", Invoice.due_on.is_not(None), Invoice.due_on < today)
        .values(status="overdue")
    )
    result = session.execute(query)
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
