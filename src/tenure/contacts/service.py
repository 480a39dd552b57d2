"""Rules of the contacts domain: the people at customer accounts."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from tenure.contacts import repository
from tenure.kit.bulk import Record, UpsertPlan


def plan_upsert(session: Session, records: Sequence[Record]) -> UpsertPlan:
    """Split contact records (with `account_id` resolved) by `external_id`."""
    return repository.plan_upsert(session, records)


def apply_upsert(session: Session, plan: UpsertPlan, batch_rows: int) -> None:
    repository.write(session, plan, batch_rows)


def contact_ids_by_email(
    session: Session, account_ids: Collection[int]
) -> dict[tuple[int, str], int]:
    """Contacts of these accounts keyed by (account_id, lower-cased email)."""
    return repository.ids_by_account_and_email(session, account_ids)
