"""Queries of the contacts domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.kit import bulk
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
