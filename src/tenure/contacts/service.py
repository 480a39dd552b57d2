"""Rules of the contacts domain: the people at customer accounts."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from tenure.contacts import repository
from tenure.contacts.schemas import ContactFilters, ContactOut
from tenure.kit.pagination import Page, PageParams
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


def count_for_account(session: Session, account_id: int) -> int:
    return repository.count_for_account(session, account_id)


def list_contacts(session: Session, filters: ContactFilters, page: PageParams) -> Page[ContactOut]:
    from tenure.accounts import service as accounts  # accounts also asks us for counts

    contacts, total = repository.list_contacts(session, filters, page.limit, page.offset)
    external_ids = accounts.external_ids_by_id(session, {c.account_id for c in contacts})
    items = [
        ContactOut(
            external_id=c.external_id,
            account_external_id=external_ids[c.account_id],
            email=c.email,
            first_name=c.first_name,
            last_name=c.last_name,
            title=c.title,
            role=c.role,
        )
        for c in contacts
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
