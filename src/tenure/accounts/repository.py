"""Queries of the accounts domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import RowMapping, Select, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from tenure.accounts.schemas import AccountFilters, AccountSort
from tenure.kit import bulk
from tenure.models import Account, User


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


def external_ids_by_id(session: Session, ids: Collection[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in bulk.chunked(sorted(set(ids)), bulk.LOOKUP_CHUNK):
        query = select(Account.id, Account.external_id).where(Account.id.in_(chunk))
        found.update({row.id: row.external_id for row in session.execute(query)})
    return found


_SORTS = {
    AccountSort.name: (Account.name, Account.id),
    AccountSort.name_desc: (Account.name.desc(), Account.id.desc()),
    AccountSort.external_id: (Account.external_id,),
    AccountSort.customer_since: (Account.customer_since, Account.id),
    AccountSort.customer_since_desc: (Account.customer_since.desc(), Account.id.desc()),
}


def _listing_query() -> Select:  # type: ignore[type-arg]
    parent = aliased(Account)
    return (
        select(
            Account.id,
            Account.external_id,
            Account.name,
            Account.domain,
            Account.industry,
            Account.country,
            Account.employees,
            Account.segment,
            Account.lifecycle_stage,
            Account.customer_since,
            parent.external_id.label("parent_external_id"),
            User.email.label("owner_email"),
        )
        .outerjoin(parent, Account.parent_id == parent.id)
        .outerjoin(User, Account.owner_id == User.id)
    )


def _conditions(filters: AccountFilters) -> list[Any]:
    parent = aliased(Account)
    conditions: list[Any] = []
    if filters.segment:
        conditions.append(Account.segment == filters.segment.value)
    if filters.lifecycle_stage:
        conditions.append(Account.lifecycle_stage == filters.lifecycle_stage.value)
    if filters.industry:
        conditions.append(Account.industry == filters.industry)
    if filters.owner:
        owner_ids = select(User.id).where(func.lower(User.email) == filters.owner.lower())
        conditions.append(Account.owner_id.in_(owner_ids))
    if filters.parent:
        parent_ids = select(parent.id).where(parent.external_id == filters.parent)
        conditions.append(Account.parent_id.in_(parent_ids))
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        conditions.append(
            or_(
                func.lower(Account.name).like(pattern),
                func.lower(Account.domain).like(pattern),
                func.lower(Account.external_id).like(pattern),
            )
        )
    return conditions


def list_accounts(
    session: Session, filters: AccountFilters, limit: int, offset: int
) -> tuple[list[RowMapping], int]:
    conditions = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(Account).where(*conditions)) or 0
    query = _listing_query().where(*conditions).order_by(*_SORTS[filters.sort])
    rows = session.execute(query.limit(limit).offset(offset)).mappings().all()
    return list(rows), total


def account_row(session: Session, external_id: str) -> RowMapping | None:
    query = _listing_query().where(Account.external_id == external_id)
    return session.execute(query).mappings().first()


def child_external_ids(session: Session, account_id: int) -> list[str]:
    query = select(Account.external_id).where(Account.parent_id == account_id)
    return list(session.scalars(query.order_by(Account.external_id)))


def id_by_stripe_customer(session: Session, customer_id: str) -> int | None:
    return session.scalar(select(Account.id).where(Account.stripe_customer_id == customer_id))


def account_by_external_id(session: Session, external_id: str) -> Account | None:
    return session.scalar(select(Account).where(Account.external_id == external_id))


def add_account(session: Session, external_id: str, name: str) -> int:
    account = Account(external_id=external_id, name=name)
    session.add(account)
    session.flush()
    return account.id


def set_stripe_customer(session: Session, account_id: int, customer_id: str) -> None:
    """Point `customer_id` at one account: unlink it elsewhere first (it is unique)."""
    session.execute(
        update(Account)
        .where(Account.stripe_customer_id == customer_id, Account.id != account_id)
        .values(stripe_customer_id=None)
    )
    session.flush()
    session.execute(
        update(Account).where(Account.id == account_id).values(stripe_customer_id=customer_id)
    )
    session.flush()
