"""`tenure sources ...`: ingestion sources (write keys) of the tracking API."""

from __future__ import annotations

import typer
from rich.table import Table

from tenure.cli.common import app_context, err_console, out_console, print_json
from tenure.cli.schema import checked_session, ensure_schema
from tenure.kit.db import unit_of_work

sources_app = typer.Typer(
    help="Ingestion sources: write keys for the Segment-compatible tracking API.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")


@sources_app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="Source name, stored with its events."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Create a source and print its write key (shown once; only a hash is stored)."""
    from tenure.tracking import service

    with checked_session() as session:
        created = service.create_source(session, name)
    if as_json:
        print_json(created)
        return
    out_console.print(f"{created.name}\t{created.write_key}", markup=False, highlight=False)
    err_console.print("Keep the write key: Tenure stores only its hash.", markup=False)


@sources_app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Sources with their stored events, how many are not attributed to an account and how
    many messages they had rejected (by reason in --json)."""
    from tenure.tracking import service
    from tenure.tracking.counts import events_by_source

    with app_context() as context:
        ensure_schema(context)
        counts = events_by_source(context.events)
        with unit_of_work(context.sessions) as session:
            sources = service.list_sources(session, counts, None, context.events.rejections())
    if as_json:
        print_json({"sources": [s.model_dump(mode="json", exclude={"rejected_since_start"}) for s in sources]})
        return
    table = Table(title="Ingestion sources")
    numbers = ("events", "unattributed", "rejected")
    for column in ("name", "key", "active", "created", *numbers):
        table.add_column(column, justify="right" if column in numbers else "left")
    for s in sources:
        created = s.created_at.isoformat(timespec="seconds") if s.created_at else "-"
        table.add_row(s.name, s.write_key_hint + "…", "yes" if s.is_active else "no", created,
                      str(s.events), str(s.unattributed), str(s.rejected))
    out_console.print(table)
