"""API routes of the tasks domain: `/api/v1/tasks`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.api.deps import get_page, get_session, get_today
from tenure.kit.pagination import Page, PageParams
from tenure.tasks import service
from tenure.tasks.schemas import (
    TaskAssign, TaskCreate, TaskDetail, TaskFilters, TaskNoteIn, TaskOut, TaskSnooze,
)

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])

SessionDep = Annotated[Session, Depends(get_session)]


@router.get("", response_model=Page[TaskOut])
def list_tasks(
    filters: Annotated[TaskFilters, Query()],
    page: Annotated[PageParams, Depends(get_page)],
    session: SessionDep,
    today: Annotated[date, Depends(get_today)],
) -> Page[TaskOut]:
    """Tasks filtered by owner, status, account, priority and due window, paginated."""
    return service.list_tasks(session, filters, page, today)


@router.post("", response_model=TaskDetail, status_code=201)
def create_task(data: TaskCreate, session: SessionDep) -> TaskDetail:
    """A manual task; its owner defaults to the account's owner."""
    return service.create_task(session, data)


@router.get("/{task_id}", response_model=TaskDetail)
def get_task(task_id: int, session: SessionDep) -> TaskDetail:
    return service.get_task(session, task_id)


@router.post("/{task_id}/assign", response_model=TaskDetail)
def assign(task_id: int, data: TaskAssign, session: SessionDep) -> TaskDetail:
    return service.assign(session, task_id, data.owner)


@router.post("/{task_id}/complete", response_model=TaskDetail)
def complete(task_id: int, session: SessionDep) -> TaskDetail:
    return service.complete(session, task_id)


@router.post("/{task_id}/snooze", response_model=TaskDetail)
def snooze(
    task_id: int, data: TaskSnooze, session: SessionDep,
    today: Annotated[date, Depends(get_today)],
) -> TaskDetail:
    return service.snooze(session, task_id, data.until, today)


@router.post("/{task_id}/reopen", response_model=TaskDetail)
def reopen(task_id: int, session: SessionDep) -> TaskDetail:
    return service.reopen(session, task_id)


@router.post("/{task_id}/notes", response_model=TaskDetail, status_code=201)
def add_note(task_id: int, data: TaskNoteIn, session: SessionDep) -> TaskDetail:
    """A note on the task, stored as an activity on the account's timeline."""
    return service.add_note(session, task_id, data)
