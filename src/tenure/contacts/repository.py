"""Queries of the contacts domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.contacts.schemas import ContactFilters
from tenure.models import Contact


def plan_upsert(session: Session, records: Sequence[bulk.Record]) -> bulk.UpsertPlan:
    return bulk.plan_against_table(session, Contact, "external_id", records)


def write(session: Session, plan: bulk.UpsertPlan, batch_rows: int) -> None:
    bulk.apply_plan(session, Contact, plan, batch_rows)


def ids_by_account_and_email(
    session: Session, account_ids: Collection[int]
) -> dict[tuple[int, str], int]:
    """(account_id, lower-cased email) -> contact id (the oldest contact on a tie)."""
    found: dict[tuple[int, str], int] = {}
    for chunk in bulk.chunked(sorted(set(account_ids)), bulk.LOOKUP_CHUNK):
        query = (
            select(Contact.account_id, func.lower(Contact.email), Contact.id)
            .where(Contact.account_id.in_(chunk))
            .order_by(Contact.id.desc())
        )
        for account_id, email, contact_id in session.execute(query):
            found[(account_id, email)] = contact_id
    return found


def count_for_account(session: Session, account_id: int) -> int:
    query = select(func.count()).select_from(Contact).where(Contact.account_id == account_id)
    return session.scalar(query) or 0


def list_contacts(
    session: Session, filters: ContactFilters, limit: int, offset: int
) -> tuple[list[Contact], int]:
    conditions = []
    if filters.account_id is not None:
        conditions.append(Contact.account_id == filters.account_id)
    if filters.role:
        conditions.append(Contact.role == filters.role.value)
    if filters.email:
        conditions.append(func.lower(Contact.email) == filters.email.lower())
    total = session.scalar(select(func.count()).select_from(Contact).where(*conditions)) or 0
    query = select(Contact).where(*conditions).order_by(Contact.account_id, Contact.id)
    return list(session.scalars(query.limit(limit).offset(offset))), total
