"""`tenure metrics ...`: revenue, retention, renewals, economics and cmrr (docs/metrics.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

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
    RevenueSeriesOut,
)

if TYPE_CHECKING:
    from tenure.analytics.engines import EngineName

metrics_app = typer.Typer(
    help="Revenue and retention metrics (docs/metrics.md).", no_args_is_help=True
)


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
EngineOption = Annotated[
    str, typer.Option(help="Where the expressions run: duckdb (in memory) or database.")
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="One row per group: segment, plan, owner or industry."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")


def _emit(document: BaseModel, json_: bool, table: Table) -> None:
    if json_:
        print_json(document.model_dump(mode="json", by_alias=True))
    else:
        out_console.print(table)


@metrics_app.command("revenue")
def revenue(
    from_: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    engine: Annotated[
        str, typer.Option(help="Where the expressions run: duckdb (in memory) or database.")
    ] = "duckdb",
) -> None:
    """Monthly MRR/ARR series with new, expansion, contraction, churn and reactivation."""
    from tenure.metrics import service  # ibis and pandas: load only when used

    months = service.parse_month_range(from_, to)
    with app_context() as context:
        series = service.revenue_series(
            context, months.start, months.end, engine=cast("EngineName", engine)
        )
    document = RevenueSeriesOut.from_result(series)
    if json_:
        print_json(document.model_dump(mode="json", by_alias=True))
    else:
        # Tables for people go to stderr (cli/common.py); stdout is kept for --json.
        out_console.print(revenue_table(document))


def revenue_table(document: RevenueSeriesOut) -> Table:
    table = Table(title=f"MRR {document.from_month} to {document.to_month}")
    for header in ("month", "MRR", "new", "expansion", "contraction", "churn",
                   "reactivation", "customers"):  # fmt: skip
        table.add_column(header, justify="left" if header == "month" else "right")
    for m in document.months:
        table.add_row(
            m.month,
            f"{m.mrr:,.2f}",
            f"{m.new_mrr:,.2f}",
            f"{m.expansion_mrr:,.2f}",
            f"-{m.contraction_mrr:,.2f}" if m.contraction_mrr else "0.00",
            f"-{m.churned_mrr:,.2f}" if m.churned_mrr else "0.00",
            f"{m.reactivation_mrr:,.2f}",
            str(m.customers),
        )
    return table


@metrics_app.command("retention")
def retention(
    from_: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    json_: JsonOption = False,
    by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:
    """NRR, GRR and logo churn of the customers paying before the period (section 3)."""
    from tenure.metrics import service

    months = service.parse_month_range(from_, to)
    with app_context() as context:
        result = service.period_retention(
            context, months.start, months.end, by=by, engine=cast("EngineName", engine)
        )
    document = RetentionOut.from_result(result)
    _emit(document, json_, tables.retention_table(document))


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
    from tenure.metrics import service

    first, last = service.parse_day(from_, "from"), service.parse_day(to, "to")
    day = None if as_of is None else service.parse_day(as_of, "as-of")
    with app_context() as context:
        result = service.renewals(
            context, first, last, grace_days=grace_days, as_of=day, by=by,
            engine=cast("EngineName", engine),
        )  # fmt: skip
    document = RenewalsOut.from_result(result)
    _emit(document, json_, tables.renewals_table(document))


@metrics_app.command("economics")
def economics(
    from_: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    json_: JsonOption = False,
    by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:
    """ARPA, monthly logo churn, LTV, CAC, LTV:CAC and CAC payback (section 5)."""
    from tenure.metrics import service

    months = service.parse_month_range(from_, to)
    with app_context() as context:
        result = service.unit_economics(
            context, months.start, months.end, by=by, engine=cast("EngineName", engine)
        )
    document = EconomicsOut.from_result(result)
    _emit(document, json_, tables.economics_table(document))


@metrics_app.command("cmrr")
def cmrr(
    as_of: Annotated[str | None, typer.Option(help="Day, YYYY-MM-DD; default today.")] = None,
    json_: JsonOption = False,
    by: ByOption = None,
    engine: EngineOption = "duckdb",
) -> None:
    """Committed MRR with its parts: MRR, future terms, replaced MRR, cancellation notices."""
    from tenure.metrics import service

    day = None if as_of is None else service.parse_day(as_of, "as-of")
    with app_context() as context:
        result = service.committed_mrr(context, day, by=by, engine=cast("EngineName", engine))
    document = CmrrOut.from_result(result)
    _emit(document, json_, tables.cmrr_table(document))
