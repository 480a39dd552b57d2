"""`tenure metrics ...`: revenue, retention, renewals, economics and cmrr (docs/metrics.md).

Every command has the same shape: parse the options, call one service function inside
an app context (`_show`), convert the result to its output model and print it (`--json`:
one JSON document on stdout; otherwise a Rich table).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from pydantic import BaseModel
from rich.table import Table

from tenure.cli import metrics_tables as tables
from tenure.cli.common import app_context, out_console, print_json
from tenure.metrics.schemas import (
    CmrrOut,
    EconomicsOut,
    RenewalsOut,
    RetentionOut,
    RevenueMovementsOut,
    RevenueSeriesOut,
)

if TYPE_CHECKING:
    from tenure.analytics.engines import EngineName
    from tenure.kit.context import AppContext

metrics_app = typer.Typer(
    help="Revenue and retention metrics (docs/metrics.md).", no_args_is_help=True
)

Result = TypeVar("Result")
Document = TypeVar("Document", bound=BaseModel)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
EngineOption = Annotated[
    str, typer.Option(help="Where the expressions run: duckdb (in memory) or database.")
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="One row per group: segment, plan, owner or industry."),
]
FromMonth = Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")]
ToMonth = Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")]
AsOfDay = Annotated[str | None, typer.Option(help="Day, YYYY-MM-DD; default today.")]


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")


def _show(
    compute: Callable[[AppContext], Result],
    output: Callable[[Result], Document],
    table: Callable[[Document], Table | list[Table]],
    json_: bool,
) -> None:
    """Compute inside an app context, then print the document as JSON or as tables."""
    with app_context() as context:
        result = compute(context)
    document = output(result)
    if json_:
        print_json(document.model_dump(mode="json", by_alias=True))
        return
    shown = table(document)
    for part in shown if isinstance(shown, list) else [shown]:
        out_console.print(part)


def _engine(engine: str) -> EngineName:
    return cast("EngineName", engine)


def _service() -> Any:
    from tenure.metrics import service  # ibis and pandas: load only when used

    return service


@metrics_app.command("revenue")
def revenue(
    from_: FromMonth, to: ToMonth, json_: JsonOption = False, by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:  # fmt: skip
    """Monthly MRR/ARR series with new, expansion, contraction, churn and reactivation."""
    service = _service()
    months = service.parse_month_range(from_, to)
    _show(
        lambda c: service.revenue_series(c, months.start, months.end, by=by, engine=_engine(engine)),
        RevenueSeriesOut.from_result, tables.revenue_tables, json_,
    )  # fmt: skip


@metrics_app.command("movements")
def movements(
    from_: FromMonth, to: ToMonth,
    movement: Annotated[str | None, typer.Option(
        help="Only new, reactivation, expansion, contraction or churn.")] = None,
    json_: JsonOption = False, by: ByOption = None, engine: EngineOption = "duckdb",
) -> None:  # fmt: skip
    """The accounts behind the revenue series: who was new, expanded, contracted, churned
    or came back in each month."""
    service = _service()
    months = service.parse_month_range(from_, to)
    _show(
        lambda c: service.revenue_movements(c, months.start, months.end, movement=movement,
                                            by=by, engine=_engine(engine)),
        RevenueMovementsOut.from_result, tables.movements_table, json_,
    )  # fmt: skip


@metrics_app.command("retention")
def retention(
    from_: FromMonth, to: ToMonth, json_: JsonOption = False, by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:  # fmt: skip
    """NRR, GRR and logo churn of the customers paying before the period (section 3)."""
    service = _service()
    months = service.parse_month_range(from_, to)
    _show(
        lambda c: service.period_retention(c, months.start, months.end, by=by, engine=_engine(engine)),
        RetentionOut.from_result, tables.retention_table, json_,
    )  # fmt: skip


@metrics_app.command("renewals")
def renewals(
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    grace_days: Annotated[int, typer.Option(help="Days after the end a renewal may start.")] = 30,
    as_of: Annotated[str | None, typer.Option(help="Outcomes as of YYYY-MM-DD; default today.")] = None,
    json_: JsonOption = False,
    by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:
    """Terms due in the period: renewed, pending and churned accounts and the sales pool."""
    service = _service()
    first, last = service.parse_day(from_, "from"), service.parse_day(to, "to")
    day = None if as_of is None else service.parse_day(as_of, "as-of")
    _show(
        lambda c: service.renewals(c, first, last, grace_days=grace_days, as_of=day, by=by,
                                   engine=_engine(engine)),
        RenewalsOut.from_result, tables.renewals_table, json_,
    )  # fmt: skip


@metrics_app.command("economics")
def economics(
    from_: FromMonth, to: ToMonth, json_: JsonOption = False, by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:  # fmt: skip
    """ARPA, monthly logo churn, LTV, CAC, LTV:CAC and CAC payback (section 5)."""
    service = _service()
    months = service.parse_month_range(from_, to)
    _show(
        lambda c: service.unit_economics(c, months.start, months.end, by=by, engine=_engine(engine)),
        EconomicsOut.from_result, tables.economics_table, json_,
    )  # fmt: skip


@metrics_app.command("cmrr")
def cmrr(
    as_of: AsOfDay = None, json_: JsonOption = False, by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:  # fmt: skip
    """Committed MRR with its parts: MRR, future terms, replaced MRR, cancellation notices."""
    service = _service()
    day = None if as_of is None else service.parse_day(as_of, "as-of")
    _show(
        lambda c: service.committed_mrr(c, day, by=by, engine=_engine(engine)),
        CmrrOut.from_result, tables.cmrr_table, json_,
    )  # fmt: skip


@metrics_app.command("reference")
def reference(
    output: Annotated[
        str | None, typer.Option(help="Write the page to this file instead of stdout.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Fail when the file given by --output is out of date.")
    ] = False,
) -> None:
    """The metric reference page (formulas and worked examples computed by the code)."""
    from pathlib import Path

    from tenure.errors import Invalid
    from tenure.metrics.reference import render

    page = render()
    if output is None:
        sys.stdout.write(page)
        return
    target = Path(output)
    if check:
        if not target.exists() or target.read_text(encoding="utf-8") != page:
            raise Invalid(f"{output} is out of date: run tenure metrics reference --output {output}")
        return
    target.write_text(page, encoding="utf-8")
