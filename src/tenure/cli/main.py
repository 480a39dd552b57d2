"""The `tenure` console script: one Typer app, one module per command group."""

from __future__ import annotations

import sys

import typer

from tenure.cli import (
    churn,
    demo,
    events,
    health,
    imports,
    jobs,
    lifecycle,
    metrics,
    retention,
    risk,
    serve,
    setup,
    sources,
    stripe,
    tasks,
    usage,
    users,
)
from tenure.cli.common import err_console
from tenure.errors import InputRejected, TenureError

app = typer.Typer(
    name="tenure",
    help="Tenure: open-source customer success platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)



@app.callback()
def root() -> None:
    """Tenure: open-source customer success platform."""


for module in (
    setup, demo, serve, imports, events, sources, stripe, usage, users, metrics, retention,
    health, risk, tasks, lifecycle, churn, jobs,
):
    module.register(app)


def main() -> None:
    try:
        app()
    except InputRejected as rejected:
        for problem in rejected.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        err_console.print(
            f"error: {rejected.message}", markup=False, highlight=False, soft_wrap=True
        )
        sys.exit(1)
    except TenureError as error:
        err_console.print(f"error: {error.message}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
