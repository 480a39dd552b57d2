"""Queries of the accounts domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tenure.kit import bulk
from tenure.models import Account


def all_external_ids(session: Session) -> list[str]:
    """Every account's external id (imports check references against this set)."""
    return list(session.scalars(select(Account.external_id)))


def ids_by_external_id(session: Session, external_ids: Collection[str]) -> dict[str, int]:
    return bulk.ids_by_keys(session, Account, "external_id", external_ids)


def fetch_by_external_id(
    session: Session, external_ids: Collection[str], columns: Sequence[str]
) -> dict[str, bulk.Record]:
    return bulk.fetch_by_keys(session, Account, "external_id", external_ids, columns)


def parent_links(session: Session) -> dict[str, str]:
    """external_id -> parent's external_id, for every account that has a parent."""
    parent = aliased(Account)
    query = select(Account.external_id, parent.external_id).join(
        parent, Account.parent_id == parent.id
    )
    return {child: parent_id for child, parent_id in session.execute(query)}


def insert_accounts(session: Session, rows: Sequence[bulk.Record], batch_rows: int) -> None:
    bulk.insert_rows(session, Account, rows, batch_rows)
    session.flush()


def update_accounts(session: Session, rows: Sequence[bulk.Record], batch_rows: int) -> None:
    bulk.update_rows(session, Account, rows, batch_rows)
    session.flush()
