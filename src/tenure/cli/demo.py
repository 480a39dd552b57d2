"""`tenure demo`: generate the demo company into TENURE_HOME, then serve it."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from tenure.cli.common import app_context, err_console
from tenure.config import Settings
from tenure.demo.profile import DemoOptions
from tenure.errors import Invalid
from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work


if TYPE_CHECKING:
    from tenure.demo.engine import StepOutcome
    from tenure.demo.service import DemoSummary


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


class RichProgress:
    """One Rich progress bar per phase, on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: int | None = None

    def phase(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(name, total=max(total, 1))

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, steps)


def _embedded_files(settings: Settings) -> list[Path]:
    """The files of the embedded databases (SQLite, DuckDB) named by the settings."""
    from tenure.usage.duckdb_store import duckdb_path
    from tenure.usage.store import url_scheme

    database = make_url(settings.resolved_database_url)
    if database.get_backend_name() != "sqlite" or not database.database:
        raise Invalid("--reset deletes only embedded database files; the operational "
                      "database is not SQLite: empty it yourself and run without --reset")
    if url_scheme(settings.resolved_events_url) != "duckdb":
        raise Invalid("--reset deletes only embedded database files; the event store is "
                      "not DuckDB: empty it yourself and run without --reset")
    sqlite = Path(database.database)
    duck = duckdb_path(settings.resolved_events_url)
    return [sqlite, *(sqlite.with_name(sqlite.name + s) for s in ("-wal", "-shm", "-journal")),
            duck, duck.with_name(duck.name + ".wal")]


def _reset(settings: Settings) -> None:
    for path in _embedded_files(settings):
        path.unlink(missing_ok=True)


def _print_summary(summary: DemoSummary, seconds: float, home: Path) -> None:
    err_console.print(
        f"\nDemo company ready in {home} ({seconds:.0f} s): {summary.accounts:,} accounts "
        f"({summary.customers:,} paying today), ARR ${summary.arr:,.0f}, "
        f"{summary.terms:,} subscription terms, {summary.contacts:,} contacts "
        f"({summary.champions_left:,} champions left), "
        f"{summary.invoices:,} invoices, {summary.tickets:,} tickets, "
        f"{summary.surveys:,} survey answers, {summary.activities:,} activities, "
        f"{summary.tasks:,} tasks, {summary.milestones:,} onboarding milestones, "
        f"{summary.events:,} usage events, {summary.csms} CSMs.",
        markup=False, highlight=False)
    if summary.event_sample_rate < 1:
        err_console.print(f"Usage user-days sampled at {summary.event_sample_rate:.4f} to keep "
                          "the event volume reasonable (see docs/demo.md).", markup=False)


def _print_engine(outcomes: list[StepOutcome]) -> None:
    for outcome in outcomes:
        err_console.print(f"  {outcome.name:<15} {outcome.status:<8} {outcome.note} "
                          f"({outcome.seconds:.1f} s)", markup=False, highlight=False)


def _print_sign_in(summary: DemoSummary, settings: Settings) -> None:
    host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0", "::") else settings.host
    err_console.print(f"\nSign in at http://{host}:{settings.port}/login with "
                      "(role, email, password):", markup=False, highlight=False)
    for role, email, password in summary.sign_in:
        err_console.print(f"  {role:<8} {email:<28} {password}", markup=False, highlight=False)
    err_console.print("  every other CSM: their email with password demo-csm", markup=False)


def _generate(context: AppContext, options: DemoOptions) -> DemoSummary:
    from tenure.demo.service import generate_demo  # numpy-heavy: load only when used

    with _bar() as bar, unit_of_work(context.sessions) as session:
        return generate_demo(session, context.events, options, RichProgress(bar),
                             context.settings.import_batch_rows)


def _run_engine(context: AppContext, options: DemoOptions) -> list[StepOutcome]:
    from tenure.demo.engine import run_engine

    err_console.print("\nRunning the engine's daily work on the new company:", markup=False)
    with _bar() as bar:
        return run_engine(context, options.as_of, options.accounts, RichProgress(bar))


def _bar() -> Progress:
    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    return Progress(*columns, console=err_console, transient=False)


def demo(
    accounts: int = typer.Option(500, "--accounts", min=1, help="Accounts ever acquired."),
    seed: int = typer.Option(42, "--seed", min=0, help="Random seed: same seed, same data."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Last day of history, YYYY-MM-DD [default: today]."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the app afterwards."),
    reset: bool = typer.Option(
        False, "--reset", help="Delete the embedded databases in TENURE_HOME first."),
    engine: bool = typer.Option(
        True, "--engine/--no-engine",
        help="Run the engine's daily work afterwards (rollups, health history, early "
             "warnings, churn model and scores)."),
) -> None:
    """Generate a realistic demo SaaS customer base into TENURE_HOME, then serve it."""
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError as error:
        raise Invalid(f"--as-of: expected YYYY-MM-DD, got {as_of!r}") from error
    options = DemoOptions(accounts=accounts, seed=seed, as_of=day)
    if reset:
        _reset(Settings())
    started = time.perf_counter()
    with app_context() as context:
        migrate.upgrade(context.engine)
        context.events.ensure_schema()
        summary = _generate(context, options)
        _print_summary(summary, time.perf_counter() - started, context.settings.home)
        if engine:
            _print_engine(_run_engine(context, options))
        settings = context.settings
    _print_sign_in(summary, settings)
    if serve:
        from tenure.cli.serve import run_server

        run_server(settings)
