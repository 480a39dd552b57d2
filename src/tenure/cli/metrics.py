"""`tenure metrics ...`: revenue now; retention and renewals join this group later."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from tenure.cli.common import app_context, out_console, print_json
from tenure.metrics.schemas import RevenueSeriesOut

if TYPE_CHECKING:
    from tenure.analytics.engines import EngineName

metrics_app = typer.Typer(
    help="Revenue and retention metrics (docs/metrics.md).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")


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
