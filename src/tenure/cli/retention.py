"""`tenure retention ...`: cohorts, Kaplan-Meier survival, sBG projection and DERL.

SciPy, lifelines, pandas and Ibis load inside the commands (CLI start time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from tenure.cli.common import app_context, out_console, print_json

if TYPE_CHECKING:
    from tenure.analytics.engines import EngineName
    from tenure.retention.schemas import CohortTableOut, SbgCohortOut, SbgOut, SurvivalOut

retention_app = typer.Typer(
    help="Cohorts, survival curves and sBG retention projections (docs/retention.md).",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Split by segment, industry, owner, plan or country."),
]
EngineOption = Annotated[
    str, typer.Option(help="Where the expressions run: duckdb (in memory) or database.")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Last month observed, YYYY-MM (default: last complete month)."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")


def _today():  # type: ignore[no-untyped-def]
    from tenure.kit.timeutil import utcnow

    return utcnow().date()


@retention_app.command("sbg")
def sbg(
    survivors: Annotated[
        str | None, typer.Option(help="Survivors S(0),S(1),...,S(n), comma-separated.")
    ] = None,
    cohort: Annotated[
        int | None, typer.Option(help="Fit the customers who first paid in this year instead.")
    ] = None,
    horizon: Annotated[int, typer.Option(help="Periods projected beyond the data.")] = 5,
    discount: Annotated[float, typer.Option(help="Discount rate per period for DERL.")] = 0.10,
    value: Annotated[
        float | None, typer.Option(help="Value of one period; adds lifetime value = value x DERL.")
    ] = None,
    by: ByOption = None,
    as_of: AsOfOption = None,
    json_: JsonFlag = False,
    engine: EngineOption = "duckdb",
) -> None:
    """sBG (Fader & Hardie): fit gamma and delta, project survival and retention, DERL."""
    from tenure.errors import Invalid
    from tenure.retention import service
    from tenure.retention.schemas import SbgCohortOut, SbgOut

    if (survivors is None) == (cohort is None):
        raise Invalid("sbg: give exactly one of --survivors N0,N1,... or --cohort YYYY")
    period_value = service.parse_value(value)
    if survivors is not None:
        if by is not None or as_of is not None:
            raise Invalid("sbg: --by and --as-of apply to --cohort, not to --survivors")
        counts = service.parse_survivors(survivors)
        projection = service.sbg_from_survivors(counts, horizon, discount)
        _emit(SbgOut.from_result(projection, period_value), json_, sbg_tables)
        return
    month = service.parse_as_of(as_of, _today())
    with app_context() as context:
        result = service.sbg_for_cohort(
            context, cast(int, cohort), month, by=by, horizon=horizon, discount=discount,
            engine=cast("EngineName", engine),
        )  # fmt: skip
    _emit(SbgCohortOut.from_result(result, period_value), json_, sbg_cohort_tables)


@retention_app.command("cohorts")
def cohorts(
    from_: Annotated[str, typer.Option("--from", help="First cohort month, YYYY-MM.")],
    to: Annotated[str, typer.Option("--to", help="Last cohort month and last month observed.")],
    by: ByOption = None,
    json_: JsonFlag = False,
    engine: EngineOption = "duckdb",
) -> None:
    """Logo and revenue retention of monthly cohorts by months since start."""
    from tenure.retention import service
    from tenure.retention.schemas import CohortTableOut

    start, end = service.parse_month(from_, "from"), service.parse_month(to, "to")
    with app_context() as context:
        table = service.cohort_table(context, start, end, by=by, engine=cast("EngineName", engine))
    _emit(CohortTableOut.from_result(table), json_, cohort_tables)


@retention_app.command("survival")
def survival(
    by: ByOption = None,
    as_of: AsOfOption = None,
    json_: JsonFlag = False,
    engine: EngineOption = "duckdb",
) -> None:
    """Kaplan-Meier customer survival (months from first payment to first churn)."""
    from tenure.retention import service
    from tenure.retention.schemas import SurvivalOut

    month = service.parse_as_of(as_of, _today())
    with app_context() as context:
        result = service.survival_curves(context, month, by=by, engine=cast("EngineName", engine))
    _emit(SurvivalOut.from_result(result), json_, survival_tables)


def _emit(document, json_: bool, tables) -> None:  # type: ignore[no-untyped-def]
    if json_:
        print_json(document.model_dump(mode="json", by_alias=True))
        return
    for table in tables(document):
        out_console.print(table)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def sbg_tables(document: SbgOut, title: str = "sBG") -> list[Table]:
    head = Table(title=f"{title}: gamma {document.gamma:.4f}, delta {document.delta:.4f}, "
                       f"log-likelihood {document.log_likelihood:.3f}")  # fmt: skip
    for header in ("period", "observed S(t)", "fitted S(t)", "retention r_t"):
        head.add_column(header, justify="right")
    for t, fitted in enumerate(document.survival):
        observed = document.observed_survival[t] if t <= document.n else None
        rate = document.retention[t - 1] if t else None
        head.add_row(str(t), _pct(observed), _pct(fitted), _pct(rate))
    derl = Table(title=f"DERL at discount {document.discount:g}")
    derl.add_column("renewals made", justify="right")
    derl.add_column("DERL (periods)", justify="right")
    if document.lifetime_value is not None:
        derl.add_column("lifetime value", justify="right")
    for key, value in document.derl.items():
        if key == "n":
            continue
        row = [key, f"{value:.3f}"]
        if document.lifetime_value is not None:
            row.append(f"{document.lifetime_value[key]:,.2f}")
        derl.add_row(*row)
    if document.warning:
        derl.caption = f"warning: {document.warning}"
    return [head, derl]


def sbg_cohort_tables(document: SbgCohortOut) -> list[Table]:
    tables: list[Table] = []
    for group in document.groups:
        title = f"cohort {document.cohort}, {group.group} ({group.customers} customers)"
        if group.model is None:
            note = Table(title=title)
            note.add_column("survivors")
            note.add_column("no model")
            note.add_row(",".join(map(str, group.survivors)), group.error or "")
            tables.append(note)
        else:
            tables.extend(sbg_tables(group.model, title))
    return tables


def cohort_tables(document: CohortTableOut) -> list[Table]:
    ages = max((len(cohort.ages) for cohort in document.cohorts), default=0)
    tables = []
    for kind in ("logo_retention", "revenue_retention"):
        table = Table(title=f"{kind.replace('_', ' ')} by months since start")
        for header in ("cohort", "group", "customers", "start MRR", *map(str, range(ages))):
            table.add_column(header, justify="left" if header in ("cohort", "group") else "right")
        for cohort in document.cohorts:
            cells = [_pct(float(getattr(age, kind))) for age in cohort.ages]
            cells += [""] * (ages - len(cells))
            table.add_row(cohort.cohort, cohort.group, str(cohort.customers),
                          f"{cohort.start_mrr:,.2f}", *cells)  # fmt: skip
        tables.append(table)
    return tables


def survival_tables(document: SurvivalOut) -> list[Table]:
    tables = []
    for curve in document.curves:
        median = "not reached" if curve.median_months is None else f"{curve.median_months:g}"
        table = Table(title=f"Kaplan-Meier, {curve.group}: {curve.customers} customers, "
                            f"{curve.churned} churned, median {median} months")  # fmt: skip
        for header in ("months", "at risk", "churned", "censored", "survival", "95% CI"):
            table.add_column(header, justify="right")
        for p in curve.points:
            interval = f"{_pct(p.lower)} - {_pct(p.upper)}" if p.lower is not None else ""
            table.add_row(str(p.months), str(p.at_risk), str(p.churned), str(p.censored),
                          _pct(p.survival), interval)  # fmt: skip
        tables.append(table)
    return tables
