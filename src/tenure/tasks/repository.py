"""Queries of the tasks domain."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tenure.models import Account, Activity, Task, User
from tenure.tasks.schemas import TaskFilters


def _base() -> Select[Any]:
    return (
        select(
            Task,
            Account.external_id.label("account_external_id"),
            User.email.label("owner_email"),
        )
        .outerjoin(Account, Task.account_id == Account.id)
        .outerjoin(User, Task.owner_id == User.id)
    )


def _conditions(filters: TaskFilters, today: date) -> list[Any]:
    conditions: list[Any] = []
    if filters.owner is not None:
        if filters.owner.lower() == "none":
            conditions.append(Task.owner_id.is_(None))
        else:
            conditions.append(func.lower(User.email) == filters.owner.lower())
    if filters.status is not None:
        conditions.append(Task.status == filters.status.value)
    if filters.account is not None:
        conditions.append(Account.external_id == filters.account)
    if filters.priority is not None:
        conditions.append(Task.priority == filters.priority.value)
    if filters.due_from is not None:
        conditions.append(Task.due_on >= filters.due_from)
    if filters.due_to is not None:
        conditions.append(Task.due_on <= filters.due_to)
    if not filters.include_snoozed:
        conditions.append((Task.snoozed_until.is_(None)) | (Task.snoozed_until <= today))
    return conditions


def list_tasks(
    session: Session, filters: TaskFilters, today: date, limit: int, offset: int
) -> tuple[list[Any], int]:
    conditions = _conditions(filters, today)
    query = _base().where(*conditions)
    total = session.scalar(
        select(func.count()).select_from(
            select(Task.id)
            .outerjoin(Account, Task.account_id == Account.id)
            .outerjoin(User, Task.owner_id == User.id)
            .where(*conditions)
            .subquery()
        )
    )
    rows = session.execute(
        query.order_by(Task.due_on.is_(None), Task.due_on, Task.id).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total or 0)


def task_row(session: Session, task_id: int) -> Any | None:
    return session.execute(_base().where(Task.id == task_id)).first()


def open_tasks_by_key(session: Session, keys: Collection[str]) -> dict[str, Task]:
    found: dict[str, Task] = {}
    keys = sorted(set(keys))
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(Task).where(Task.dedup_key.in_(chunk), Task.status == "open")
        found.update({task.dedup_key: task for task in session.scalars(query)})  # type: ignore[misc]
    return found


def user_id_by_email(session: Session, email: str) -> int | None:
    return session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))


def account_row(session: Session, external_id: str) -> tuple[int, int | None] | None:
    row = session.execute(
        select(Account.id, Account.owner_id).where(Account.external_id == external_id)
    ).first()
    return (row.id, row.owner_id) if row else None


def account_owners(session: Session, account_ids: Collection[int]) -> dict[int, int | None]:
    ids = sorted(set(account_ids))
    owners: dict[int, int | None] = {}
    for start in range(0, len(ids), 500):
        query = select(Account.id, Account.owner_id).where(Account.id.in_(ids[start : start + 500]))
        owners.update({row.id: row.owner_id for row in session.execute(query)})
    return owners


def notes_of(session: Session, task_id: int) -> list[Any]:
    return list(
        session.execute(
            select(Activity, User.email.label("author_email"))
            .outerjoin(User, Activity.author_id == User.id)
            .where(Activity.task_id == task_id)
            .order_by(Activity.occurred_at, Activity.id)
        ).all()
    )
