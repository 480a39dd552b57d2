"""`tenure usage ...`: per-account usage and the daily rollups (docs/usage.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tenure.cli.common import app_context, err_console, out_console, print_json
from tenure.errors import Invalid
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.usage import service
from tenure.usage.schemas import AccountUsageOut

usage_app = typer.Typer(help="Product usage per account; daily rollups.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(usage_app, name="usage")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


@usage_app.command("show")
def show(
    account: Annotated[str, typer.Argument(help="The account's external_id.")],
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day; default today.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Daily events and active users, top events, 7/30-day active users, last seen."""
    start, end = service.usage_window(_day(from_, "--from"), _day(to, "--to"), utcnow().date())
    with app_context() as context, unit_of_work(context.sessions) as session:
        usage = service.account_usage(session, context.events, account, start, end)
    if json_:
        print_json(usage.model_dump(mode="json", by_alias=True))
        return
    _print_usage(usage)


def _print_usage(usage: AccountUsageOut) -> None:
    days = Table(title=f"{usage.account}: usage {usage.from_} to {usage.to}")
    for header in ("date", "events", "active users"):
        days.add_column(header, justify="left" if header == "date" else "right")
    for day in usage.days:
        days.add_row(day.date.isoformat(), f"{day.events:,}", f"{day.active_users:,}")
    out_console.print(days)
    top = Table(title="Top events")
    for header in ("event", "count", "distinct users"):
        top.add_column(header, justify="left" if header == "event" else "right")
    for event in usage.top_events:
        top.add_row(event.name, f"{event.count:,}", f"{event.distinct_users:,}")
    out_console.print(top)
    last_seen = usage.last_seen.isoformat() if usage.last_seen else "never"
    out_console.print(
        f"active users: {usage.active_users_7d:,} (7 days), {usage.active_users_30d:,} "
        f"(30 days); last seen {last_seen}"
    )


@usage_app.command("rollup")
def rollup(
    full: Annotated[bool, typer.Option("--full", help="Recompute every day from scratch.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Bring the daily usage rollups up to date now (the job does it every 30 s)."""
    with app_context() as context:
        report = service.refresh_rollups(context.events, full=full)
    if json_:
        print_json(report.model_dump(mode="json"))
        return
    kind = "full rebuild" if report.full else "incremental"
    err_console.print(f"{kind}: {report.account_days:,} account-days in {report.seconds:.2f} s")
