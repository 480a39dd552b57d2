"""`tenure init`: create or upgrade the databases in place."""

from __future__ import annotations

import typer

from tenure.cli.common import app_context, err_console
from tenure.kit import migrate


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init() -> None:
    """Create or upgrade the operational database and the event store in place."""
    with app_context() as context:
        migrate.upgrade(context.engine)
        context.events.ensure_schema()
        err_console.print(
            f"Databases ready in {context.settings.home} "
            f"(schema {migrate.current_revision(context.engine)})."
        )
