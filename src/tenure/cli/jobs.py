"""`tenure jobs list | run | history`: inspect and run background jobs."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Column, Table

from tenure.cli.common import app_context, err_console, print_json
from tenure.cli.schema import checked_session, ensure_schema
from tenure.errors import TenureError
from tenure.kit.timeutil import utcnow
from tenure.worker import service
from tenure.worker.registry import load_registry
from tenure.worker.scheduler import Scheduler
from tenure.worker.schemas import RunRecord

jobs_app = typer.Typer(help="Background jobs: schedules, history, run now.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


@jobs_app.command("list")
def list_jobs(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Every registered job: schedule, last run and when it is next due."""
    now = utcnow()
    with checked_session() as session:
        jobs = service.overview(session, load_registry(), now)
    if as_json:
        print_json({"jobs": [job.model_dump(mode="json") for job in jobs]})
        return
    # Job names stay whole (people and tests search for them); other columns wrap.
    table = Table(Column("job", no_wrap=True), "schedule", "last run", "status", "next due")
    for job in jobs:
        last = job.last_run
        due = "now" if job.next_due <= now else _when(job.next_due)
        table.add_row(
            job.name,
            job.schedule,
            _when(last.started_at) if last else "never",
            last.status if last else "-",
            due,
        )
    err_console.print(table)


@jobs_app.command("run")
def run_job(
    name: str = typer.Argument(..., help="Job name, as shown by `tenure jobs list`."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON on stdout."),
) -> None:
    """Run one job now, off schedule; the run is recorded in the history."""
    with app_context() as context:
        ensure_schema(context)
        record = Scheduler(context).run_now(name)
    if as_json:
        print_json(record.model_dump(mode="json"))
    if record.error is not None:
        raise TenureError(f"job {name} failed: {_last_line(record.error)}")
    if not as_json:
        err_console.print(f"{name} succeeded in {record.duration_seconds or 0:.2f}s")


@jobs_app.command("history")
def history(
    job: str | None = typer.Option(None, "--job", help="Only runs of this job."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="How many runs."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Past runs, newest first: slot, attempt, status, duration, worker, error."""
    with checked_session() as session:
        runs = service.run_history(session, job, limit)
    if job is not None and not runs:
        load_registry().get(job)  # a typo should say so, not print an empty history
    if as_json:
        print_json({"runs": [run.model_dump(mode="json") for run in runs]})
        return
    _print_history(runs)


def _print_history(runs: list[RunRecord]) -> None:
    table = Table("id", "job", "slot", "attempt", "status", "started", "seconds", "worker", "error")
    for run in runs:
        table.add_row(
            str(run.id),
            run.job,
            _when(run.scheduled_for),
            str(run.attempt),
            run.status,
            _when(run.started_at),
            f"{run.duration_seconds:.2f}" if run.duration_seconds is not None else "-",
            run.worker or "-",
            _last_line(run.error) if run.error else "",
        )
    err_console.print(table)


def _last_line(error: str) -> str:
    lines = error.strip().splitlines()
    return lines[-1] if lines else "error"
