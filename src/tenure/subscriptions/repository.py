"""Queries of the subscriptions domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import SubscriptionTerm
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
