"""`tenure stripe sync`: backfill accounts, terms and invoices from the Stripe API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from tenure.cli.common import app_context, err_console, print_json
from tenure.integrations.stripe import service
from tenure.integrations.stripe.client import StripeApi
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow

stripe_app = typer.Typer(help="Stripe: backfill from the Stripe API.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(stripe_app, name="stripe")


@stripe_app.command("sync")
def sync_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the counts as JSON on stdout.")
    ] = False,
) -> None:
    """Backfill customers, subscriptions and invoices from the Stripe API.

    Applies them like webhook events, in one transaction. Reads TENURE_STRIPE_API_KEY
    and TENURE_STRIPE_API_BASE."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with app_context() as context:
        api = StripeApi.from_settings(context.settings)
        with Progress(*columns, console=err_console, transient=True,
                      disable=not err_console.is_terminal) as progress:
            task = progress.add_task("stripe sync", total=None)
            done: dict[str, int] = {}

            def advance(kind: str) -> None:
                done[kind] = done.get(kind, 0) + 1
                progress.update(task, description="stripe sync: " + ", ".join(
                    f"{count} {name}" for name, count in done.items()))

            with unit_of_work(context.sessions) as session:
                stats = service.sync(session, api.sources(), utcnow(), advance)
    err_console.print(
        f"Stripe sync: {stats.customers} customers, {stats.subscriptions} subscriptions, "
        f"{stats.invoices} invoices applied; {stats.skipped} older than events already applied.",
        markup=False, highlight=False, soft_wrap=True,
    )
    if as_json:
        print_json(stats.model_dump())
