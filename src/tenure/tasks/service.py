"""Rules of the tasks domain: the CSM's to-do list.

A task is `open` (possibly snoozed until a date: still open, hidden from today's queue
until then), `done` or `canceled`. `dedup_key` keeps one open task per key: the early
warning rules open tasks through `open_deduplicated`, which returns the open task of the
same key instead of opening a second one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tenure.errors import Invalid, NotFound
from tenure.kit.pagination import Page, PageParams
from tenure.kit.timeutil import utcnow
from tenure.models import Activity, Task
from tenure.models.types import ActivityKind, TaskStatus
from tenure.tasks import repository
from tenure.tasks.schemas import (
    TaskCreate, TaskDetail, TaskFilters, TaskNoteIn, TaskNoteOut, TaskOut,
)


def _out(row: Any) -> TaskOut:
    task: Task = row[0]
    return TaskOut(
        id=task.id, account_external_id=row.account_external_id, owner_email=row.owner_email,
        type=task.type, title=task.title, reason=task.reason, priority=task.priority,
        due_on=task.due_on, status=task.status, snoozed_until=task.snoozed_until,
        dedup_key=task.dedup_key, completed_at=task.completed_at, created_at=task.created_at,
    )


def list_tasks(session: Session, filters: TaskFilters, page: PageParams, today: date) -> Page[TaskOut]:
    rows, total = repository.list_tasks(session, filters, today, page.limit, page.offset)
    return Page(items=[_out(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def _task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    return task


def get_task(session: Session, task_id: int) -> TaskDetail:
    session.flush()
    row = repository.task_row(session, task_id)
    if row is None:
        raise NotFound(f"no task with id {task_id}")
    notes = [
        TaskNoteOut(
            id=note.id, task_id=task_id, body=note.body or "", author_email=email,
            occurred_at=note.occurred_at,
        )
        for note, email in repository.notes_of(session, task_id)
    ]
    return TaskDetail(**_out(row).model_dump(), notes=notes)


def _user_id(session: Session, email: str) -> int:
    user_id = repository.user_id_by_email(session, email)
    if user_id is None:
        raise NotFound(f"no user with email {email!r}")
    return user_id


def create_task(session: Session, data: TaskCreate) -> TaskDetail:
    account_id, owner_id = None, None
    if data.account is not None:
        found = repository.account_row(session, data.account)
        if found is None:
            raise NotFound(f"no account with external_id {data.account!r}")
        account_id, owner_id = found
    if data.owner is not None:
        owner_id = _user_id(session, data.owner)
    task = Task(
        account_id=account_id, owner_id=owner_id, type=data.type, title=data.title,
        reason=data.reason, priority=data.priority.value, due_on=data.due_on, status="open",
    )
    session.add(task)
    session.flush()
    return get_task(session, task.id)


def open_deduplicated(
    session: Session, *, account_id: int, dedup_key: str, title: str, reason: str,
    type: str, priority: str, due_on: date | None, owner_id: int | None,
) -> tuple[Task, bool]:
    """The open task of `dedup_key` (snoozed or not), else a new one: (task, created)."""
    existing = repository.open_tasks_by_key(session, [dedup_key]).get(dedup_key)
    if existing is not None:
        return existing, False
    task = Task(
        account_id=account_id, owner_id=owner_id, type=type, title=title, reason=reason,
        priority=priority, due_on=due_on, status="open", dedup_key=dedup_key,
    )
    session.add(task)
    session.flush()
    return task, True


def open_keys(session: Session, keys: Collection[str]) -> dict[str, int]:
    """dedup_key -> id of its open task, for the keys that have one."""
    return {key: task.id for key, task in repository.open_tasks_by_key(session, keys).items()}


def account_owners(session: Session, account_ids: Collection[int]) -> dict[int, int | None]:
    return repository.account_owners(session, account_ids)


def assign(session: Session, task_id: int, owner_email: str) -> TaskDetail:
    task = _task(session, task_id)
    task.owner_id = _user_id(session, owner_email)
    return get_task(session, task_id)


def complete(session: Session, task_id: int) -> TaskDetail:
    task = _task(session, task_id)
    if task.status != TaskStatus.done:
        task.status, task.completed_at, task.snoozed_until = TaskStatus.done.value, utcnow(), None
    return get_task(session, task_id)


def snooze(session: Session, task_id: int, until: date, today: date) -> TaskDetail:
    task = _task(session, task_id)
    if task.status != TaskStatus.open:
        raise Invalid(f"task {task_id} is {task.status}; only open tasks can be snoozed", 409)
    if until <= today:
        raise Invalid(f"snooze until {until} is not after today ({today})")
    task.snoozed_until = until
    return get_task(session, task_id)


def reopen(session: Session, task_id: int) -> TaskDetail:
    task = _task(session, task_id)
    if task.status == TaskStatus.open:
        return get_task(session, task_id)
    if task.dedup_key and repository.open_tasks_by_key(session, [task.dedup_key]):
        raise Invalid(f"another open task already covers {task.dedup_key!r}", 409)
    task.status, task.completed_at, task.snoozed_until = TaskStatus.open.value, None, None
    return get_task(session, task_id)


def add_note(session: Session, task_id: int, note: TaskNoteIn) -> TaskDetail:
    task = _task(session, task_id)
    if task.account_id is None:
        raise Invalid(f"task {task_id} has no account; notes live on an account's timeline")
    author_id = _user_id(session, note.author) if note.author else None
    session.add(
        Activity(
            account_id=task.account_id, kind=ActivityKind.note.value, occurred_at=utcnow(),
            author_id=author_id, subject=f"Note on task: {task.title}"[:500], body=note.body,
            task_id=task.id,
        )
    )
    session.flush()
    return get_task(session, task_id)
