"""`tenure health ...`: score, show, rescore, changes, scorecards (docs/health.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenure.cli.common import app_context, err_console, out_console, print_json
from tenure.errors import Invalid

if TYPE_CHECKING:
    from tenure.health.schemas import AccountHealthOut

health_app = typer.Typer(help="Customer health scores (docs/health.md).", no_args_is_help=True)
scorecards_app = typer.Typer(help="List, show, validate and save scorecards.",
                             no_args_is_help=True)  # fmt: skip
health_app.add_typer(scorecards_app, name="scorecards")

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Day to score, YYYY-MM-DD (default today, UTC).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(health_app, name="health")


def parse_day(value: str | None, option: str) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


@contextmanager
def steps_bar(label: str, total: int) -> Iterator[Any]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda *_: bar.advance(task)


@health_app.command("score")
def score(as_of: AsOfOption = None, json_: JsonOption = False) -> None:
    """Score every account on a day and store the snapshots (one per account and day)."""
    from tenure.health import service
    from tenure.kit.db import unit_of_work

    day = parse_day(as_of, "--as-of")
    with app_context() as context, steps_bar("scoring", len(service.SCORE_STEPS)) as tick:
        with unit_of_work(context.sessions) as session:
            batch = service.score_and_store(context, session, day, progress=tick)
    outputs = list(batch.outputs())
    if json_:
        print_json({"as_of": day.isoformat(),
                    "accounts": [o.model_dump(mode="json") for o in outputs]})  # fmt: skip
        return
    table = Table(title=f"Health on {day}: {len(outputs)} accounts")
    for header in ("grade", "accounts"):
        table.add_column(header)
    counts = batch.accounts["grade"].fillna("not scored").value_counts()
    for grade, count in counts.items():
        table.add_row(str(grade), str(count))
    out_console.print(table)


@health_app.command("show")
def show(
    account: Annotated[str, typer.Argument(help="The account's external id.")],
    as_of: AsOfOption = None,
    days: Annotated[int, typer.Option(help="Days of history to include.")] = 90,
    json_: JsonOption = False,
) -> None:
    """One account's score, grade, trend, every measure's contribution and history."""
    from tenure.health import service

    day = parse_day(as_of, "--as-of")
    with app_context() as context, context.sessions() as session:
        result = service.explain_account(session, account, day, history_days=days)
    if json_:
        print_json(result.model_dump(mode="json"))
    else:
        out_console.print(account_table(result))


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def account_table(result: AccountHealthOut) -> Table:
    title = (f"{result.external_id} on {result.as_of}: {_num(result.score)} "
             f"({result.grade or 'not scored'}, {result.scorecard} v{result.scorecard_version}); "
             f"7d {_num(result.change_7d)}, 30d {_num(result.change_30d)}; "
             f"pulling down: {result.pulling_down or '-'}")  # fmt: skip
    table = Table(title=title)
    for header in ("group", "measure", "value", "score", "weight", "points"):
        table.add_column(header, justify="left" if header in ("group", "measure") else "right")
    for m in result.measures:
        table.add_row(m.group, m.name, _num(m.value, 2), _num(m.score), f"{m.weight:.1%}",
                      f"{m.contribution:.1f}")  # fmt: skip
    return table


@health_app.command("rescore")
def rescore(
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    json_: JsonOption = False,
) -> None:
    """Re-score history day by day with the current scorecards (after a change)."""
    from tenure.health import service
    from tenure.kit.db import unit_of_work

    start, end = parse_day(from_, "--from"), parse_day(to, "--to")
    if end < start:
        raise Invalid(f"--to {end} is before --from {start}")
    with app_context() as context, steps_bar("rescoring days", (end - start).days + 1) as tick:
        with unit_of_work(context.sessions) as session:
            result = service.rescore(context, session, start, end, progress=tick)
    if json_:
        print_json(result.model_dump(mode="json"))
    else:
        out_console.print(f"re-scored {result.days} days, {result.snapshots} snapshots")


@health_app.command("changes")
def changes(
    as_of: AsOfOption = None,
    days: Annotated[int, typer.Option(help="Compare with this many days earlier.")] = 7,
    limit: Annotated[int, typer.Option(help="At most this many accounts.")] = 50,
    json_: JsonOption = False,
) -> None:
    """Biggest score moves and grade changes over the last N days."""
    from tenure.health import service

    day = parse_day(as_of, "--as-of")
    with app_context() as context, context.sessions() as session:
        result = service.score_changes(session, day, days=days, limit=limit)
    if json_:
        print_json(result.model_dump(mode="json"))
        return
    table = Table(title=f"Health changes {result.since} to {result.as_of}")
    for header in ("account", "before", "now", "change", "grade"):
        table.add_column(header, justify="left" if header in ("account", "grade") else "right")
    for c in result.changes:
        grade = f"{c.grade_before or '-'} -> {c.grade_now or '-'}" if c.grade_changed else (c.grade_now or "-")
        table.add_row(c.external_id, _num(c.score_before), _num(c.score_now), _num(c.change), grade)
    out_console.print(table)


@scorecards_app.command("list")
def scorecards_list(json_: JsonOption = False) -> None:
    """The scorecards in matching order (first match wins; default last)."""
    from tenure.health import service

    with app_context() as context:
        cards = service.list_scorecards(context.settings)
    if json_:
        print_json({"scorecards": [c.model_dump(mode="json") for c in cards]})
        return
    table = Table(title="Scorecards (first match wins)")
    for header in ("name", "version", "order", "match", "description"):
        table.add_column(header)
    for c in cards:
        table.add_row(c.name, str(c.version), str(c.order), str(c.match or "everyone"), c.description)
    out_console.print(table)


@scorecards_app.command("show")
def scorecards_show(
    name: Annotated[str, typer.Argument(help="Scorecard name.")],
    version: Annotated[int | None, typer.Option(help="An older version.")] = None,
    json_: JsonOption = False,
) -> None:
    """Print a scorecard as YAML (or JSON)."""
    from tenure.health import store
    from tenure.health.scorecards import dump_yaml

    with app_context() as context:
        card = store.get(context.settings, name, version)
    if json_:
        print_json(card.model_dump(mode="json", exclude_none=True))
    else:
        typer.echo(dump_yaml(card), nl=False)


@scorecards_app.command("validate")
def scorecards_validate(
    file: Annotated[Path, typer.Argument(help="A scorecard YAML file.")], json_: JsonOption = False
) -> None:
    """Check a scorecard file; errors name the file and the YAML path."""
    from tenure.health.scorecards import load_yaml

    card = load_yaml(_read(file), str(file))
    if json_:
        print_json({"valid": True, "name": card.name, "measures": card.measure_names})
    else:
        out_console.print(f"{file}: valid scorecard {card.name!r} ({len(card.measure_names)} measures)")


@scorecards_app.command("save")
def scorecards_save(
    file: Annotated[Path, typer.Argument(help="A scorecard YAML file.")], json_: JsonOption = False
) -> None:
    """Store a scorecard file as the next version of its name (old versions are kept)."""
    from tenure.health import store
    from tenure.health.scorecards import load_yaml

    card = load_yaml(_read(file), str(file))
    with app_context() as context:
        saved = store.save(context.settings, card)
    if json_:
        print_json({"name": saved.name, "version": saved.version})
    else:
        out_console.print(f"saved {saved.name} version {saved.version}; "
                          "`tenure health rescore` re-scores history")  # fmt: skip


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError as error:
        raise Invalid(f"{file}: {error.strerror or error}") from None
