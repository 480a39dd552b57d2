"""The dashboard's sections as a registry of small classes; each builds one `SectionView`
from the engine's results for a scope and window (loaded on demand by HTMX)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from tenure.analytics.inputs import LedgerTables
from tenure.errors import NotFound
from tenure.kit.context import AppContext
from tenure.web.dashboards import charts, figures
from tenure.web.dashboards.schemas import Cell, Chart, DashboardParams, Empty, SectionView, Table
from tenure.web.dashboards.scope import link

DRILL_PATH = "/dashboards/accounts"
NO_REVENUE = Empty("No subscription revenue in these months",
                   "Import subscriptions (<code>tenure import subscriptions FILE</code>) "
                   "or widen the months and filters above.")  # fmt: skip


def drill_links(params: DashboardParams) -> Callable[..., str]:
    """href(kind, month=..., item=..., quarter=...) -> the drill-down page's address."""

    def href(kind: str, **values: Any) -> str:
        extra = {k: (f"{v:%Y-%m}" if isinstance(v, date) else str(v))
                 for k, v in values.items() if v is not None}  # fmt: skip
        return link(DRILL_PATH, {"kind": kind}, params.scope.query(), params.window.query(), extra)

    return href


class Section(ABC):
    name: ClassVar[str]
    title: ClassVar[str]
    needs_ledger: ClassVar[bool] = True

    @abstractmethod
    def build(self, context: AppContext, source: LedgerTables | None,
              params: DashboardParams) -> SectionView: ...  # fmt: skip


SECTIONS: dict[str, Section] = {}


def section(cls: type[Section]) -> type[Section]:
    SECTIONS[cls.name] = cls()
    return cls


def get_section(name: str) -> Section:
    try:
        return SECTIONS[name]
    except KeyError:
        raise NotFound(f"no dashboard section {name!r}") from None


def build_section(context: AppContext, name: str, params: DashboardParams) -> SectionView:
    chosen = get_section(name)
    if not chosen.needs_ledger:
        return chosen.build(context, None, params)
    with figures.scoped_ledger(context, params.scope) as source:
        return chosen.build(context, source, params)


@section
class RevenueSection(Section):
    name, title = "revenue", "MRR and its movements"

    def build(self, context: AppContext, source: LedgerTables | None, params: DashboardParams) -> SectionView:
        assert source is not None
        series = figures.revenue(source, params.window)
        if series.opening_mrr == 0 and not any(m.mrr for m in series.months):
            return SectionView(self.name, self.title, empty=NO_REVENUE)
        href = drill_links(params)
        last = series.months[-1]
        stats = (
            ("MRR", Cell(last.mrr, "money", href("paying", month=last.month))),
            ("ARR", Cell(last.arr, "money", href("paying", month=last.month))),
            ("Customers", Cell(last.customers, "number", href("paying", month=last.month))),
            ("Net new MRR (period)", Cell(last.mrr - series.opening_mrr, "money")),
        )
        rows = tuple(
            (Cell(f"{m.month:%Y-%m}"), Cell(m.mrr, "money", href("paying", month=m.month)),
             *(Cell(getattr(m, column), "money", href("movement", item=movement, month=m.month))
               for _, column, movement, _ in charts.WATERFALL_STEPS),
             Cell(m.net_new_mrr, "money"))
            for m in series.months
        )  # fmt: skip
        headers = ("month", "MRR", *(label for label, *_ in charts.WATERFALL_STEPS), "net new")
        bridge = tuple((Cell(r["step"]), Cell(r["amount"], "money", r["href"]))
                       for r in charts.waterfall_rows(series, href))  # fmt: skip
        return SectionView(
            self.name, self.title, stats=stats,
            charts=(Chart(charts.waterfall(series, href), "MRR waterfall: start, movements, end"),
                    Chart(charts.mrr_trend(series, href), "MRR at each month-end")),
            tables=(Table("MRR bridge over the period", ("step", "MRR"), bridge),
                    Table("MRR movements by month", headers, rows)),
        )  # fmt: skip


@section
class RetentionSection(Section):
    name, title = "retention", "Net and gross revenue retention"

    def build(self, context: AppContext, source: LedgerTables | None, params: DashboardParams) -> SectionView:
        assert source is not None
        trend = figures.retention_trend(source, params.window)
        if not any(p.result.figures.start_customers for p in trend):
            return SectionView(self.name, self.title, empty=NO_REVENUE)
        href = drill_links(params)
        rows = tuple(
            (Cell(f"{p.month:%Y-%m}"),
             Cell(p.result.figures.start_customers, "number", href("retention", month=p.month)),
             Cell(p.result.figures.start_mrr, "money"),
             Cell(p.result.figures.nrr, "percent", href("retention", month=p.month)),
             Cell(p.result.figures.grr, "percent", href("retention", month=p.month)),
             Cell(p.result.figures.churned_customers, "number",
                  href("retention", month=p.month, item="churned")),
             Cell(p.result.figures.logo_churn_rate, "percent"))
            for p in trend
        )  # fmt: skip
        headers = ("12 months ending", "start customers", "start MRR", "NRR", "GRR",
                   "churned customers", "logo churn")  # fmt: skip
        latest = trend[-1].result.figures
        stats = (("NRR (last 12 months)", Cell(latest.nrr, "percent", href("retention", month=trend[-1].month))),
                 ("GRR (last 12 months)", Cell(latest.grr, "percent", href("retention", month=trend[-1].month))))  # fmt: skip
        return SectionView(
            self.name, self.title, stats=stats,
            charts=(Chart(charts.retention_trend(trend, href), "NRR and GRR over time"),),
            tables=(Table("Trailing twelve-month retention", headers, rows),),
        )  # fmt: skip


def dashboard_quarters(today: date) -> tuple[figures.Quarter, ...]:
    """The last four quarters and the current one."""
    current = figures.Quarter.of(today)
    return tuple(current.shifted(k) for k in range(-4, 1))


@section
class RenewalRatesSection(Section):
    name, title = "renewals", "Renewal rates by quarter"

    def build(self, context: AppContext, source: LedgerTables | None, params: DashboardParams) -> SectionView:
        assert source is not None
        quarters = figures.renewals_by_quarter(source, dashboard_quarters(params.today), params.today)
        if not any(q.result.figures.due_customers for q in quarters):
            return SectionView(self.name, self.title, empty=Empty(
                "No terms came up for renewal in these quarters",
                "Renewals count subscription terms with an end date; evergreen terms never fall due."))
        href = drill_links(params)
        rows = tuple(_renewal_row(q, href) for q in quarters)
        headers = ("quarter", "due", "renewed", "pending", "churned", "logo rate", "ARR due",
                   "ARR renewed", "ARR rate")  # fmt: skip
        return SectionView(
            self.name, self.title,
            charts=(Chart(charts.renewal_rates(quarters, href), "Logo and ARR renewal rates by quarter"),),
            tables=(Table(f"Outcomes as of {params.today}", headers, rows),),
        )  # fmt: skip


def _renewal_row(q: figures.QuarterRenewals, href: Callable[..., str]) -> tuple[Cell, ...]:
    f, label = q.result.figures, q.quarter.label
    return (
        Cell(label),
        Cell(f.due_customers, "number", href("renewal", quarter=label)),
        Cell(f.renewed_customers, "number", href("renewal", quarter=label, item="renewed")),
        Cell(f.pending_customers, "number", href("renewal", quarter=label, item="pending")),
        Cell(f.churned_customers, "number", href("renewal", quarter=label, item="churned")),
        Cell(f.logo_renewal_rate, "percent"),
        Cell(f.due_arr, "money", href("renewal", quarter=label)),
        Cell(f.renewed_arr, "money", href("renewal", quarter=label, item="renewed")),
        Cell(f.arr_renewal_rate, "percent"),
    )


@section
class CohortSection(Section):
    name, title = "cohorts", "Cohort retention"

    def build(self, context: AppContext, source: LedgerTables | None, params: DashboardParams) -> SectionView:
        assert source is not None
        table = figures.cohorts(source, params.window)
        if not table.cohorts:
            return SectionView(self.name, self.title, empty=Empty(
                "No customer started paying in these months", "Widen the months above."))
        href = drill_links(params)
        rows = tuple(
            (Cell(f"{c.month:%Y-%m}", href=href("cohort", month=c.month)),
             Cell(c.customers, "number", href("cohort", month=c.month)), Cell(c.start_mrr, "money"),
             *(Cell(a.logo_retention, "percent", href("cohort", month=c.month, item=a.age))
               for a in c.ages[1:4]))
            for c in table.cohorts
        )  # fmt: skip
        headers = ("cohort", "customers", "start MRR", "after 1 month", "after 2", "after 3")
        return SectionView(
            self.name, self.title,
            charts=(Chart(charts.cohort_heatmap(table, href), "Logo retention by cohort month and age"),),
            tables=(Table("Cohorts: logo retention in the first months", headers, rows),),
        )  # fmt: skip


@section
class SurvivalSection(Section):
    name, title = "survival", "Survival and sBG projection"

    def build(self, context: AppContext, source: LedgerTables | None, params: DashboardParams) -> SectionView:
        assert source is not None
        curves = figures.survival(source, params.window.last)
        if not curves.curves:
            return SectionView(self.name, self.title, empty=NO_REVENUE)
        curve = curves.curves[0]
        stats = [("Customers observed", Cell(curve.customers, "number")),
                 ("Churned", Cell(curve.churned, "number")),
                 ("Median lifetime (months)", Cell(curve.median_months, "decimal"))]  # fmt: skip
        shown = [Chart(charts.survival_curve(curves), "Kaplan-Meier survival curve")]
        notes: list[str] = []
        sbg_figure = figures.sbg_projection(source, params.window.last, params.cohort_year)
        group = sbg_figure.group
        if group is not None and group.projection is not None:
            shown.append(Chart(charts.sbg_projection(sbg_figure), "sBG projection of a cohort"))
            stats.append(("DERL (cohort, 10%)", Cell(group.projection.derl[0], "decimal")))
            if group.projection.fit.warning:
                notes.append(group.projection.fit.warning)
        else:
            reason = group.error if group else "no customer started that year"
            notes.append(f"No sBG projection for cohort {sbg_figure.cohort_year}: {reason}.")
        return SectionView(self.name, self.title, stats=tuple(stats), charts=tuple(shown),
                           notes=tuple(notes))  # fmt: skip
