"""Tasks queue: `/tasks` with filters; complete, snooze, reassign, add a note (HTMX rows)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from tenure.api.deps import get_session, get_today
from tenure.kit.pagination import PageParams
from tenure.models.types import TaskPriority
from tenure.tasks import service as tasks
from tenure.tasks.schemas import TaskFilters, TaskNoteIn
from tenure.users import service as users
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.forms import is_htmx, parse, query_of
from tenure.web.templating import redirect, render

router = page_router()
PAGE_SIZE = 50


class QueueFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    owner: str = "me"  # "me", "any", "none" or an email
    status: str = Field(default="open", pattern=r"^(open|done|canceled|all)$")
    priority: TaskPriority | None = None
    account: str | None = None
    due: str | None = Field(default=None, pattern=r"^(overdue|today|week)$")
    snoozed: bool = False  # show tasks snoozed beyond today
    page: int = Field(default=1, ge=1)

    @field_validator("priority", "account", "due", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if value == "" else value

    def service_filters(self, me: str, today: date) -> TaskFilters:
        owner = {"me": me, "any": None}.get(self.owner, self.owner)
        due_from, due_to = {
            "overdue": (None, today - timedelta(days=1)),
            "today": (None, today),
            "week": (None, today + timedelta(days=7)),
        }.get(self.due or "", (None, None))
        return TaskFilters(
            owner=owner, status=None if self.status == "all" else self.status,
            account=self.account, priority=self.priority, due_from=due_from, due_to=due_to,
            include_snoozed=self.snoozed,
        )


def _assignees(session: Session) -> list[Any]:
    return [u for u in users.list_users(session)
            if u.is_active and u.has_password and u.role != "viewer"]


@router.get("/tasks")
def queue(
    request: Request,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    filters = parse(QueueFilters, query_of(request))
    page = PageParams(limit=PAGE_SIZE, offset=(filters.page - 1) * PAGE_SIZE)
    found = tasks.list_tasks(session, filters.service_filters(user.email, today), page, today)
    context = {
        "nav": "tasks", "filters": filters, "tasks": found.items, "total": found.total,
        "pages": max(1, -(-found.total // PAGE_SIZE)), "today": today,
        "assignees": _assignees(session),
    }
    template = "tasks/_list.html" if is_htmx(request) else "tasks/index.html"
    return render(request, template, context)


def _done(request: Request, session: Session, task_id: int, today: date, message: str) -> Response:
    """HTMX: the task's updated row; otherwise back to the queue with a flash."""
    if is_htmx(request):
        context = {"task": tasks.get_task(session, task_id), "today": today, "message": message}
        return render(request, "tasks/_row.html", context)
    return redirect(request.headers.get("referer") or "/tasks", message)


@router.post("/tasks/{task_id}/complete")
def complete(
    request: Request, task_id: int,
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    tasks.complete(session, task_id)
    return _done(request, session, task_id, today, "Task completed.")


@router.post("/tasks/{task_id}/reopen")
def reopen(
    request: Request, task_id: int,
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    tasks.reopen(session, task_id)
    return _done(request, session, task_id, today, "Task reopened.")


@router.post("/tasks/{task_id}/snooze")
def snooze(
    request: Request, task_id: int,
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
    until: Annotated[date | None, Form()] = None,
    days: Annotated[int | None, Form(ge=1, le=365)] = None,
) -> Response:
    target = until or today + timedelta(days=days or 1)
    tasks.snooze(session, task_id, target, today)
    return _done(request, session, task_id, today, f"Snoozed until {target.isoformat()}.")


@router.post("/tasks/{task_id}/assign")
def assign(
    request: Request, task_id: int,
    owner: Annotated[str, Form()],
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    tasks.assign(session, task_id, owner)
    return _done(request, session, task_id, today, f"Assigned to {owner}.")


@router.post("/tasks/{task_id}/notes")
def add_note(
    request: Request, task_id: int,
    body: Annotated[str, Form()],
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    note = parse(TaskNoteIn, {"body": body.strip(), "author": user.email}, where="form")
    tasks.add_note(session, task_id, note)
    return _done(request, session, task_id, today, "Note added.")
