"""`tenure tasks ...`: the CSM's to-do list (docs/tasks.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tenure.cli.common import app_context, out_console, print_json
from tenure.kit.db import unit_of_work

tasks_app = typer.Typer(help="The CSM's to-do list: list, assign, complete, snooze.",
                        no_args_is_help=True)  # fmt: skip

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")


def _day(value: str | None, option: str) -> date | None:
    from tenure.cli.risk import parse_day

    return parse_day(value, option) if value is not None else None


def _show(document, json_: bool) -> None:  # type: ignore[no-untyped-def]
    if json_:
        print_json(document.model_dump(mode="json"))
        return
    owner = document.owner_email or "unassigned"
    snoozed = f", snoozed until {document.snoozed_until}" if document.snoozed_until else ""
    out_console.print(f"task #{document.id} [{document.status}{snoozed}] {document.title} "
                      f"({owner}, due {document.due_on or '-'})", markup=False)  # fmt: skip


@tasks_app.command("list")
def list_tasks(
    owner: Annotated[str | None, typer.Option(help="Owner's email, or 'none' for unassigned.")] = None,
    status: Annotated[str | None, typer.Option(help="open, done or canceled.")] = None,
    account: Annotated[str | None, typer.Option(help="Account external_id.")] = None,
    priority: Annotated[str | None, typer.Option(help="low, medium, high or urgent.")] = None,
    due_from: Annotated[str | None, typer.Option("--due-from", help="YYYY-MM-DD.")] = None,
    due_to: Annotated[str | None, typer.Option("--due-to", help="YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json_: JsonOption = False,
) -> None:
    """Tasks, filtered, earliest due first."""
    from pydantic import ValidationError

    from tenure.errors import Invalid
    from tenure.kit.pagination import PageParams
    from tenure.tasks import service
    from tenure.tasks.schemas import TaskFilters

    try:
        filters = TaskFilters(owner=owner, status=status, account=account, priority=priority,
                              due_from=_day(due_from, "--due-from"), due_to=_day(due_to, "--due-to"))  # fmt: skip
    except ValidationError as error:
        first = error.errors()[0]
        raise Invalid(f"--{first['loc'][0]}: {first['msg']}") from None
    with app_context() as context, unit_of_work(context.sessions) as session:
        page = service.list_tasks(session, filters, PageParams(limit=limit, offset=offset), date.today())
    if json_:
        print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"Tasks ({page.total})")
    for header in ("id", "due", "priority", "status", "account", "owner", "title"):
        table.add_column(header)
    for t in page.items:
        status_text = t.status + (f" (snoozed to {t.snoozed_until})" if t.snoozed_until else "")
        table.add_row(str(t.id), str(t.due_on or "-"), t.priority, status_text,
                      t.account_external_id or "-", t.owner_email or "-", t.title)  # fmt: skip
    out_console.print(table)


@tasks_app.command("assign")
def assign(task_id: int, owner: Annotated[str, typer.Option(help="New owner's email.")],
           json_: JsonOption = False) -> None:  # fmt: skip
    """Give a task to another user."""
    from tenure.tasks import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        document = service.assign(session, task_id, owner)
    _show(document, json_)


@tasks_app.command("complete")
def complete(task_id: int, json_: JsonOption = False) -> None:
    """Mark a task done."""
    from tenure.tasks import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        document = service.complete(session, task_id)
    _show(document, json_)


@tasks_app.command("snooze")
def snooze(task_id: int, until: Annotated[str, typer.Option(help="YYYY-MM-DD, after today.")],
           json_: JsonOption = False) -> None:  # fmt: skip
    """Hide an open task from the queue until a date (it stays open and deduplicated)."""
    from tenure.tasks import service

    day = _day(until, "--until")
    with app_context() as context, unit_of_work(context.sessions) as session:
        document = service.snooze(session, task_id, day, date.today())  # type: ignore[arg-type]
    _show(document, json_)


@tasks_app.command("reopen")
def reopen(task_id: int, json_: JsonOption = False) -> None:
    """Open a done or canceled task again."""
    from tenure.tasks import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        document = service.reopen(session, task_id)
    _show(document, json_)


@tasks_app.command("note")
def note(task_id: int, body: Annotated[str, typer.Option(help="The note's text.")],
         author: Annotated[str | None, typer.Option(help="Author's email.")] = None,
         json_: JsonOption = False) -> None:  # fmt: skip
    """Add a note to a task (an activity on the account's timeline)."""
    from tenure.tasks import service
    from tenure.tasks.schemas import TaskNoteIn

    with app_context() as context, unit_of_work(context.sessions) as session:
        document = service.add_note(session, task_id, TaskNoteIn(body=body, author=author))
    _show(document, json_)
