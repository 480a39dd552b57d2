"""`tenure risk ...`: early-warning rules, alerts and their backtest (docs/early-warning.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenure.cli.common import app_context, err_console, out_console, print_json
from tenure.errors import Invalid
from tenure.kit.db import unit_of_work

risk_app = typer.Typer(help="Early-warning rules, alerts and backtests.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


def register(app: typer.Typer) -> None:
    app.add_typer(risk_app, name="risk")


def parse_day(value: str | None, option: str, default: date | None = None) -> date:
    if value is None:
        return default or date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{option}: expected YYYY-MM-DD, got {value!r}") from None


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if percent else f"{value:g}"


@risk_app.command("rules")
def rules(json_: JsonOption = False) -> None:
    """List the rules with their thresholds (defaults, overridden by TENURE_HOME/rules.yaml)."""
    from tenure.risk import service

    with app_context() as context:
        document = service.list_rules(context)
    if json_:
        print_json(document.model_dump(mode="json"))
        return
    table = Table(title=f"Early-warning rules ({document.source or 'defaults'}; "
                        f"re-fire after {document.refire_after_days} days)")  # fmt: skip
    for header in ("rule", "kind", "priority", "thresholds", "fires when"):
        table.add_column(header)
    for r in document.rules:
        thresholds = ", ".join(f"{k}={v}" for k, v in r.thresholds.items())
        table.add_row(r.name, r.kind, r.priority, thresholds, r.description)
    out_console.print(table)


@risk_app.command("evaluate")
def evaluate(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date, YYYY-MM-DD [default: today].")] = None,
    json_: JsonOption = False,
) -> None:
    """Evaluate every rule for every account; store new alerts and open their tasks."""
    from tenure.risk import service

    day = parse_day(as_of, "--as-of")
    with app_context() as context:
        with err_console.status(f"evaluating early-warning rules for {day}"):
            with unit_of_work(context.sessions) as session:
                result = service.evaluate(context, session, day)
    if json_:
        print_json(result.model_dump(mode="json"))
        return
    table = Table(title=f"Early warning on {result.as_of}"
                        + ("" if result.health_available else " (health scores unavailable)"))  # fmt: skip
    for header in ("rule", "fired", "new alerts", "tasks opened", "already open", "cooling down"):
        table.add_column(header, justify="left" if header == "rule" else "right")
    for r in result.rules:
        table.add_row(r.rule, str(r.fired), str(r.alerts), str(r.tasks_opened),
                      str(r.already_open), str(r.cooling_down))  # fmt: skip
    out_console.print(table)


@risk_app.command("alerts")
def alerts(
    account: Annotated[str | None, typer.Option("--account", help="Account external_id.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Rule name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json_: JsonOption = False,
) -> None:
    """Recorded alerts, newest first, with the inputs that made them fire."""
    import json

    from tenure.api.deps import account_id_of
    from tenure.kit.pagination import PageParams
    from tenure.risk import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        account_id_of(session, account)  # unknown accounts are an error, not an empty list
        page = service.list_alerts(session, account, rule, PageParams(limit=limit, offset=offset))
    if json_:
        print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"Alerts ({page.total})")
    for header in ("fired", "account", "rule", "reason", "task", "why"):
        table.add_column(header)
    for a in page.items:
        task = f"#{a.task_id} {a.task_status or ''}" if a.task_id else "-"
        table.add_row(str(a.fired_on), a.account_external_id, a.rule, a.reason, task,
                      json.dumps(a.inputs)[:120])  # fmt: skip
    out_console.print(table)


@risk_app.command("backtest")
def backtest(
    from_: Annotated[str | None, typer.Option("--from", help="First as-of month, YYYY-MM-DD [default: 18 months before the last point].")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last as-of date, YYYY-MM-DD [default: the latest fully observed].")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The data's 'today', YYYY-MM-DD [default: today].")] = None,
    horizon_days: Annotated[int, typer.Option(min=1, help="Churn within this many days counts.")] = 90,
    json_: JsonOption = False,
) -> None:
    """Replay the rules monthly at past dates: precision, recall and lead time per rule."""
    from tenure.risk.backtest import run_backtest

    today = parse_day(as_of, "--as-of")
    last = parse_day(to, "--to", today - timedelta(days=horizon_days + 30))
    first = parse_day(from_, "--from", (last - timedelta(days=18 * 31)).replace(day=1))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with app_context() as context, unit_of_work(context.sessions) as session:
        with Progress(*columns, console=err_console, transient=True) as bar:
            months = (last.year - first.year) * 12 + last.month - first.month + 1
            task = bar.add_task("replaying rules", total=max(months, 1))
            result = run_backtest(context, session, first, last, today, horizon_days,
                                  step=lambda _point: bar.advance(task))  # fmt: skip
        session.rollback()  # a backtest writes nothing
    if json_:
        print_json(result.model_dump(mode="json"))
        return
    table = Table(title=f"Backtest {result.start} to {result.end}, {result.points} points, "
                        f"churn within {result.horizon_days} days (base rate {_fmt(result.base_rate, True)})")  # fmt: skip
    for header in ("rule", "fired", "precision", "churners flagged", "recall", "median lead days"):
        table.add_column(header, justify="left" if header == "rule" else "right")
    for r in result.rules:
        table.add_row(r.rule, str(r.fired), _fmt(r.precision, True),
                      f"{r.churners_flagged}/{r.churners}", _fmt(r.recall, True),
                      _fmt(r.median_lead_days))  # fmt: skip
    out_console.print(table)
