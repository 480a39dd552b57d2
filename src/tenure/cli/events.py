"""`tenure events ...`: the usage event store from the command line."""

from __future__ import annotations

import typer
from rich.table import Table

from tenure.cli.common import app_context, out_console, print_json
from tenure.usage.store import EventStats

events_app = typer.Typer(help="Usage events: totals over the event store.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")


def _document(stats: EventStats) -> dict[str, object]:
    return {
        "events": stats.events,
        "accounts": stats.accounts,
        "first": stats.first.isoformat() if stats.first else None,
        "last": stats.last.isoformat() if stats.last else None,
    }


@events_app.command("stats")
def stats(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Totals over stored usage events: count, accounts, first and last event time."""
    with app_context() as context:
        document = _document(context.events.stats())
    if as_json:
        print_json(document)
        return
    table = Table(title="Usage events")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in document.items():
        table.add_row(key, "-" if value is None else str(value))
    out_console.print(table)
