"""`tenure churn ...`: evaluate a feature table, backtest, train, score, list models
(docs/churn.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenure.cli.common import app_context, err_console, out_console, print_json
from tenure.errors import Invalid
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow

if TYPE_CHECKING:
    from tenure.churn.backtest import Progress as ProgressFactory
    from tenure.churn.schemas import BacktestOut, EvaluationOut, ModelOut

churn_app = typer.Typer(help="The churn model (docs/churn.md).", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Day, YYYY-MM-DD; default today (UTC).")
]
HorizonOption = Annotated[int, typer.Option("--horizon", min=1, help="Days ahead a churn counts.")]
EveryOption = Annotated[int, typer.Option("--every", min=1, help="Days between snapshots.")]


def register(app: typer.Typer) -> None:
    app.add_typer(churn_app, name="churn")


def _day(text: str | None, option: str) -> date:
    if text is None:
        return utcnow().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


@contextmanager
def progress_bars() -> Iterator[ProgressFactory]:
    """A factory of Rich progress bars on stderr: `factory(phase, total)` -> step()."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err_console, transient=True,
                  disable=not err_console.is_terminal) as bars:  # fmt: skip

        def factory(phase: str, total: int):  # type: ignore[no-untyped-def]
            task = bars.add_task(phase, total=max(total, 1))
            return lambda _label: bars.advance(task)

        yield factory


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


@churn_app.command("evaluate")
def evaluate(
    features: Annotated[Path, typer.Option("--features", help="Feature table: CSV or Parquet.")],
    label: Annotated[str, typer.Option("--label", help="The label column (Yes/No, 1/0, ...).")],
    id_column: Annotated[str | None, typer.Option("--id", help="Id column (not a feature).")] = None,
    drop: Annotated[list[str] | None, typer.Option("--drop", help="Column to leave out (repeat).")] = None,
    json_: JsonOption = False,
) -> None:
    """Cross-validated quality of the churn model on any feature table."""
    from tenure.churn import service

    with progress_bars() as bars:
        result = service.evaluate_file(features, label, id_column, drop, bars)
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    if json_:
        print_json(result.model_dump(mode="json"))
    else:
        out_console.print(evaluation_table(result))


def evaluation_table(result: EvaluationOut) -> Table:
    table = Table(title=f"{result.file}: {result.rows:,} rows, {result.positives:,} positive; "
                        f"stratified 5-fold CV (seed 0)")  # fmt: skip
    for header in ("fold", "chosen model", "ROC AUC", "PR AUC", "Brier", "lift top 10%"):
        table.add_column(header, justify="left" if header in ("fold", "chosen model") else "right")
    for fold in result.folds:
        table.add_row(str(fold.fold), fold.model, _f(fold.auc), _f(fold.pr_auc), _f(fold.brier),
                      _f(fold.lift_top_decile, 2))  # fmt: skip
    table.add_row("mean", result.model, _f(result.auc), _f(result.pr_auc), _f(result.brier),
                  _f(result.lift_top_decile, 2), style="bold")  # fmt: skip
    return table


@churn_app.command("backtest")
def run_backtest(
    as_of: AsOfOption = None,
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="Train before, test from this day; default a year before the last observed label.")] = None,
    horizon: HorizonOption = 90,
    every: EveryOption = 30,
    json_: JsonOption = False,
) -> None:
    """Time-based backtest: train on snapshots before the cutoff, test after it."""
    from tenure.churn import service

    end, split = _day(as_of, "--as-of"), None if cutoff is None else _day(cutoff, "--cutoff")
    with app_context() as context, progress_bars() as bars:
        result = service.run_backtest(context, end, split, horizon, every, bars)
    if json_:
        print_json(result.model_dump(mode="json"))
    else:
        out_console.print(backtest_table(result))


def backtest_table(result: BacktestOut) -> Table:
    table = Table(title=f"Backtest: train before {result.cutoff} ({result.train_snapshots:,} "
                        f"snapshots), test from it ({result.test_snapshots:,}); "
                        f"churn within {result.horizon_days} days")  # fmt: skip
    for header in ("predictor", "rows", "churned", "ROC AUC", "PR AUC", "Brier", "lift top 10%"):
        table.add_column(header, justify="left" if header == "predictor" else "right")
    rows = [(f"model: {result.model}", result.model_quality)]
    if result.health_quality:
        rows.append(("health score (100 - score)", result.health_quality))
    for name, q in rows:
        table.add_row(name, f"{q.rows:,}", f"{q.positives:,}", _f(q.auc), _f(q.pr_auc),
                      _f(q.brier), _f(q.lift_top_decile, 2))  # fmt: skip
    lead = result.lead_time
    table.caption = (f"Lead time (top 10% flagged each day): {lead.flagged} of {lead.churned} "
                     f"churned accounts flagged, median {_f(lead.median_days, 0)} days before churn")  # fmt: skip
    return table


@churn_app.command("train")
def train(
    as_of: AsOfOption = None,
    horizon: HorizonOption = 90,
    every: EveryOption = 30,
    activate: Annotated[bool, typer.Option("--activate/--no-activate", help="Make it the active model.")] = True,
    json_: JsonOption = False,
) -> None:
    """Train a new model version on every observed snapshot, with backtest metrics."""
    from tenure.churn import service

    end = _day(as_of, "--as-of")
    with app_context() as context, progress_bars() as bars:
        with unit_of_work(context.sessions) as session:
            model = service.train(context, session, end, horizon, every, activate, bars)
    if json_:
        print_json(model.model_dump(mode="json"))
    else:
        out_console.print(models_table([model]))


@churn_app.command("score")
def score(as_of: AsOfOption = None, json_: JsonOption = False) -> None:
    """Score every paying account with the active model (probability and drivers)."""
    from tenure.churn import service

    day = _day(as_of, "--as-of")
    with app_context() as context, progress_bars() as bars:
        with unit_of_work(context.sessions) as session:
            report = service.score(context, session, day, bars)
    if json_:
        print_json(report.model_dump(mode="json"))
    else:
        out_console.print(f"Scored {report.accounts:,} accounts on {report.scored_on} with "
                          f"model v{report.model_version} in {report.seconds:.1f} s.")  # fmt: skip


@churn_app.command("models")
def models(json_: JsonOption = False) -> None:
    """Stored model versions with their backtest metrics; the active one marked."""
    from tenure.churn import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        found = service.list_models(session)
    if json_:
        print_json({"models": [m.model_dump(mode="json") for m in found]})
    else:
        out_console.print(models_table(found))


def models_table(found: list[ModelOut]) -> Table:
    table = Table(title="Churn models")
    for header in ("version", "active", "algorithm", "trained through", "features",
                   "backtest AUC", "health AUC", "PR AUC", "lift top 10%"):  # fmt: skip
        table.add_column(header, justify="right" if header != "algorithm" else "left")
    for m in found:
        q = m.metrics.get("model_quality") or {}
        h = m.metrics.get("health_quality") or {}
        table.add_row(str(m.version), "yes" if m.is_active else "", m.algorithm,
                      str(m.trained_through), str(len(m.features)), _f(q.get("auc")),
                      _f(h.get("auc")), _f(q.get("pr_auc")), _f(q.get("lift_top_decile"), 2))  # fmt: skip
    return table


@churn_app.command("show")
def show(account: Annotated[str, typer.Argument(help="The account's external_id.")],
         json_: JsonOption = False) -> None:  # fmt: skip
    """An account's latest churn probability and the features driving it."""
    from tenure.churn import service

    with app_context() as context, unit_of_work(context.sessions) as session:
        found = service.account_churn_by_external_id(session, account)
    if json_:
        print_json(found.model_dump(mode="json"))
        return
    table = Table(title=f"{found.external_id}: churn probability {found.probability:.1%} "
                        f"(model v{found.model_version}, {found.scored_on})")  # fmt: skip
    for header in ("driver", "value", "effect on probability"):
        table.add_column(header, justify="left" if header == "driver" else "right")
    for d in found.drivers:
        table.add_row(d.feature, str(d.value), f"{d.effect:+.1%}")
    out_console.print(table)
