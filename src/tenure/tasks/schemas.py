"""API shapes of the tasks domain (the CSM's to-do list)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from tenure.models.types import TaskPriority, TaskStatus


class TaskFilters(BaseModel):
    owner: str | None = None  # owner's email; "none" for unassigned tasks
    status: TaskStatus | None = None
    account: str | None = None  # account external_id
    priority: TaskPriority | None = None
    due_from: date | None = None
    due_to: date | None = None
    include_snoozed: bool = True  # False hides tasks snoozed beyond today


class TaskCreate(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    account: str | None = None  # account external_id
    owner: str | None = None  # owner's email; default the account's owner
    type: str = Field(default="manual", max_length=40)
    reason: str | None = None
    priority: TaskPriority = TaskPriority.medium
    due_on: date | None = None


class TaskAssign(BaseModel):
    owner: str  # email of the new owner


class TaskSnooze(BaseModel):
    until: date


class TaskNoteIn(BaseModel):
    body: str = Field(min_length=1)
    author: str | None = None  # author's email


class TaskOut(BaseModel):
    id: int
    account_external_id: str | None
    owner_email: str | None
    type: str
    title: str
    reason: str | None
    priority: str
    due_on: date | None
    status: str
    snoozed_until: date | None
    dedup_key: str | None
    completed_at: datetime | None
    created_at: datetime | None


class TaskNoteOut(BaseModel):
    id: int
    task_id: int
    body: str
    author_email: str | None
    occurred_at: datetime


class TaskDetail(TaskOut):
    notes: list[TaskNoteOut]
