"""`tenure onboarding ...`: onboarding milestones (docs/onboarding.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tenure.cli.common import app_context, out_console, print_json
from tenure.kit.db import unit_of_work

onboarding_app = typer.Typer(help="Onboarding milestones (day 7, 14, 30, 60, 90).",
                             no_args_is_help=True)  # fmt: skip

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


def register(app: typer.Typer) -> None:
    app.add_typer(onboarding_app, name="onboarding")


def _account(session, external_id: str) -> int:  # type: ignore[no-untyped-def]
    from tenure.api.deps import account_id_of

    return account_id_of(session, external_id)  # type: ignore[return-value]


@onboarding_app.command("plan")
def plan(json_: JsonOption = False) -> None:
    """Plan milestones for every paying account that has none yet (idempotent)."""
    from tenure.lifecycle import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        result = service.plan_new_customers(session)
    if json_:
        print_json(result.model_dump(mode="json"))
    else:
        out_console.print(f"planned {result.milestones_created} milestones for {result.accounts} accounts")


@onboarding_app.command("show")
def show(
    account: str,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD [default: today].")] = None,
    json_: JsonOption = False,
) -> None:
    """An account's milestones and their status."""
    from tenure.cli.risk import parse_day
    from tenure.lifecycle import service

    day = parse_day(as_of, "--as-of")
    with app_context() as context, unit_of_work(context.sessions) as session:
        rows = service.list_milestones(session, _account(session, account), day)
    if json_:
        print_json({"account": account, "as_of": day, "milestones": [r.model_dump(mode="json") for r in rows]})
        return
    table = Table(title=f"Onboarding of {account} on {day}")
    for header in ("key", "milestone", "due", "completed", "status", "days late"):
        table.add_column(header)
    for r in rows:
        table.add_row(r.key, r.name, str(r.due_on), str(r.completed_on or "-"), r.status,
                      str(r.days_past_due))  # fmt: skip
    out_console.print(table)


@onboarding_app.command("complete")
def complete(
    account: str,
    key: str,
    on: Annotated[str | None, typer.Option("--on", help="Completion date [default: today].")] = None,
    json_: JsonOption = False,
) -> None:
    """Mark one of an account's milestones completed."""
    from tenure.cli.risk import parse_day
    from tenure.lifecycle import service

    day = parse_day(on, "--on", date.today())
    with app_context() as context, unit_of_work(context.sessions) as session:
        row = service.complete_milestone(session, _account(session, account), key, day)
    if json_:
        print_json(row.model_dump(mode="json"))
    else:
        out_console.print(f"{account}: {row.key} completed on {row.completed_on}")
