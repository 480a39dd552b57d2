"""`tenure import KIND FILE`: load a CSV export (or an events file) all-or-nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tenure.cli.common import app_context, err_console, print_json
from tenure.errors import Invalid
from tenure.imports.base import ImportReport, ProgressCallback
from tenure.imports.service import import_file
from tenure.kit.db import unit_of_work

KINDS_HELP = "accounts, contacts, subscriptions, events, tickets, survey-responses or spend."


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """["Company=name", ...] -> {"Company": "name"}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise Invalid(f"--map expects FROM=TO, got {pair!r}")
        mapping[source.strip()] = target.strip()
    return mapping


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressCallback]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Only on a terminal: piped or captured stderr keeps just the summary or the problems.
    interactive = err_console.is_terminal
    with Progress(
        *columns, console=err_console, transient=True, disable=not interactive
    ) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def summary(report: ImportReport) -> list[str]:
    counts = (
        f"{report.rows} rows: {report.inserted} inserted, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    if report.dry_run:
        counts = (
            f"{report.rows} rows: would insert {report.inserted}, update {report.updated}, "
            f"leave {report.unchanged} unchanged; nothing written (dry run)"
        )
    lines = [f"{report.file} ({report.kind}) {counts}."]
    if report.ignored_columns:
        lines.append("warning: ignored columns: " + ", ".join(report.ignored_columns))
    lines.extend(report.notes)
    return lines


def import_command(
    kind: Annotated[str, typer.Argument(help=f"What the file holds: {KINDS_HELP}")],
    file: Annotated[Path, typer.Argument(help="The file (CSV; Parquet or JSON Lines for events).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate fully and report; write nothing.")
    ] = False,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", metavar="FROM=TO", help="Rename column FROM to TO (repeatable)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the import report as JSON on stdout.")
    ] = False,
) -> None:
    """Import FILE as KIND: upsert by external_id (spend: by month), all or nothing."""
    renames = parse_mapping(mapping or [])
    with app_context() as context, unit_of_work(context.sessions) as session:
        with progress_bar(f"import {kind}") as progress:
            report = import_file(
                kind,
                file,
                session=session,
                settings=context.settings,
                events=context.events,
                mapping=renames,
                dry_run=dry_run,
                progress=progress,
            )
        if dry_run:
            session.rollback()
    for line in summary(report):
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    if as_json:
        print_json(dataclasses.asdict(report))
