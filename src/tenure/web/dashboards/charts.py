"""Vega-Lite specs (plain dicts) of the dashboard charts, from the engine's results.

Every mark that stands for a number carries an `href` to the drill-down listing the
accounts behind it. Values are passed through as computed (Decimals become JSON
numbers); the specs only lay them out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from tenure.analytics.cohorts import CohortTable
from tenure.analytics.results import RevenueSeries
from tenure.analytics.survival import SurvivalResult
from tenure.web.dashboards.figures import QuarterRenewals, SbgFigure, TrailingRetention

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
Spec = dict[str, Any]
Href = Callable[..., str]

COLORS = {"up": "#2f9e6e", "down": "#d9534f", "total": "#4a6fa5"}


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _base(title: str, data: list[dict[str, Any]], **extra: Any) -> Spec:
    return {"$schema": SCHEMA, "title": title, "width": "container", "height": 260,
            "data": {"values": data}, "config": {"view": {"stroke": None}}, **extra}  # fmt: skip


WATERFALL_STEPS = (
    ("New", "new_mrr", "new", 1),
    ("Expansion", "expansion_mrr", "expansion", 1),
    ("Reactivation", "reactivation_mrr", "reactivation", 1),
    ("Contraction", "contraction_mrr", "contraction", -1),
    ("Churn", "churned_mrr", "churn", -1),
)


def waterfall_rows(series: RevenueSeries, href: Href) -> list[dict[str, Any]]:
    """Start MRR, each movement summed over the months, end MRR, as floating bars."""
    start = series.opening_mrr
    end = series.months[-1].mrr if series.months else start
    rows = [_bar("Start MRR", Decimal(0), start, start, "total", href("paying", month=_before(series)))]
    level = start
    for label, column, movement, sign in WATERFALL_STEPS:
        amount = sum((getattr(m, column) for m in series.months), Decimal(0))
        rows.append(_bar(label, level, level + sign * amount, sign * amount,
                         "up" if sign > 0 else "down", href("movement", item=movement)))  # fmt: skip
        level += sign * amount
    rows.append(_bar("End MRR", Decimal(0), end, end, "total", href("paying", month=series.end)))
    for order, row in enumerate(rows):
        row["order"] = order
    return rows


def _before(series: RevenueSeries):  # type: ignore[no-untyped-def]
    from tenure.web.dashboards.scope import shift_months

    return shift_months(series.start, -1)


def _bar(label: str, low: Decimal, high: Decimal, amount: Decimal, kind: str, href: str) -> dict[str, Any]:
    return {"step": label, "low": float(low), "high": float(high), "amount": float(amount),
            "kind": kind, "href": href}  # fmt: skip


def waterfall(series: RevenueSeries, href: Href) -> Spec:
    rows = waterfall_rows(series, href)
    sort = [row["step"] for row in rows]
    color = {"field": "kind", "type": "nominal", "legend": None,
             "scale": {"domain": list(COLORS), "range": list(COLORS.values())}}  # fmt: skip
    return _base(
        f"MRR movements {series.start:%Y-%m} to {series.end:%Y-%m}", rows,
        mark={"type": "bar", "cursor": "pointer"},
        encoding={
            "x": {"field": "step", "type": "nominal", "sort": sort, "title": None,
                  "axis": {"labelAngle": 0}},
            "y": {"field": "low", "type": "quantitative", "title": "MRR"},
            "y2": {"field": "high"},
            "color": color,
            "href": {"field": "href"},
            "tooltip": [{"field": "step", "title": "step"},
                        {"field": "amount", "type": "quantitative", "format": ",.2f", "title": "amount"}],
        },
    )  # fmt: skip


def mrr_trend(series: RevenueSeries, href: Href) -> Spec:
    rows = [{"month": f"{m.month:%Y-%m}", "mrr": float(m.mrr), "customers": m.customers,
             "href": href("paying", month=m.month)} for m in series.months]  # fmt: skip
    return _base(
        "MRR at month-end", rows,
        mark={"type": "line", "point": {"size": 60, "cursor": "pointer"}},
        encoding={
            "x": {"field": "month", "type": "ordinal", "title": None},
            "y": {"field": "mrr", "type": "quantitative", "title": "MRR"},
            "href": {"field": "href"},
            "tooltip": [{"field": "month"}, {"field": "mrr", "format": ",.2f"}, {"field": "customers"}],
        },
    )  # fmt: skip


def retention_rows(trend: Sequence[TrailingRetention], href: Href) -> list[dict[str, Any]]:
    rows = []
    for point in trend:
        figures = point.result.figures
        for name, value in (("NRR", figures.nrr), ("GRR", figures.grr)):
            if value is not None:
                rows.append({"month": f"{point.month:%Y-%m}", "measure": name,
                             "rate": float(value), "href": href("retention", month=point.month)})  # fmt: skip
    return rows


def retention_trend(trend: Sequence[TrailingRetention], href: Href) -> Spec:
    return _base(
        "NRR and GRR, trailing twelve months", retention_rows(trend, href),
        mark={"type": "line", "point": {"size": 60, "cursor": "pointer"}},
        encoding={
            "x": {"field": "month", "type": "ordinal", "title": "twelve months ending"},
            "y": {"field": "rate", "type": "quantitative", "title": None,
                  "axis": {"format": ".0%"}, "scale": {"zero": False}},
            "color": {"field": "measure", "type": "nominal", "title": None},
            "href": {"field": "href"},
            "tooltip": [{"field": "month"}, {"field": "measure"}, {"field": "rate", "format": ".1%"}],
        },
    )  # fmt: skip


def renewal_rows(quarters: Sequence[QuarterRenewals], href: Href) -> list[dict[str, Any]]:
    rows = []
    for q in quarters:
        figures = q.result.figures
        for name, value in (("logo", figures.logo_renewal_rate), ("ARR", figures.arr_renewal_rate)):
            if value is not None:
                rows.append({"quarter": q.quarter.label, "rate_kind": f"{name} renewal rate",
                             "rate": float(value), "href": href("renewal", quarter=q.quarter.label)})  # fmt: skip
    return rows


def renewal_rates(quarters: Sequence[QuarterRenewals], href: Href) -> Spec:
    return _base(
        "Renewal rates by quarter", renewal_rows(quarters, href),
        mark={"type": "bar", "cursor": "pointer"},
        encoding={
            "x": {"field": "quarter", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "xOffset": {"field": "rate_kind"},
            "y": {"field": "rate", "type": "quantitative", "title": None, "axis": {"format": ".0%"}},
            "color": {"field": "rate_kind", "type": "nominal", "title": None},
            "href": {"field": "href"},
            "tooltip": [{"field": "quarter"}, {"field": "rate_kind"}, {"field": "rate", "format": ".1%"}],
        },
    )  # fmt: skip


def cohort_rows(table: CohortTable, href: Href) -> list[dict[str, Any]]:
    return [
        {"cohort": f"{c.month:%Y-%m}", "age": a.age, "logo_retention": float(a.logo_retention),
         "revenue_retention": float(a.revenue_retention), "customers": a.customers,
         "href": href("cohort", month=c.month, item=a.age)}
        for c in table.cohorts for a in c.ages
    ]  # fmt: skip


def cohort_heatmap(table: CohortTable, href: Href) -> Spec:
    spec = _base(
        "Logo retention by monthly cohort", cohort_rows(table, href),
        encoding={
            "x": {"field": "age", "type": "ordinal", "title": "months since start"},
            "y": {"field": "cohort", "type": "ordinal", "title": None},
        },
        layer=[
            {"mark": {"type": "rect", "cursor": "pointer"}, "encoding": {
                "href": {"field": "href"},
                "color": {"field": "logo_retention", "type": "quantitative", "title": "logo retention",
                          "scale": {"scheme": "blues", "domain": [0, 1]}, "legend": {"format": ".0%"}},
                "tooltip": [{"field": "cohort"}, {"field": "age"}, {"field": "customers"},
                            {"field": "logo_retention", "format": ".1%"},
                            {"field": "revenue_retention", "format": ".1%"}]}},
            {"mark": {"type": "text", "fontSize": 9}, "encoding": {
                "text": {"field": "logo_retention", "format": ".0%"},
                "color": {"condition": {"test": "datum.logo_retention > 0.6", "value": "white"},
                          "value": "black"}}},
        ],
    )  # fmt: skip
    spec["height"] = max(160, 22 * len({c.month for c in table.cohorts}))
    return spec


def survival_rows(result: SurvivalResult) -> list[dict[str, Any]]:
    return [
        {"months": p.months, "survival": p.survival, "lower": _number(p.lower),
         "upper": _number(p.upper), "at_risk": p.at_risk, "curve": c.group}
        for c in result.curves for p in c.points
    ]  # fmt: skip


def survival_curve(result: SurvivalResult) -> Spec:
    tooltip = [{"field": "months"}, {"field": "survival", "format": ".1%"}, {"field": "at_risk"}]
    return _base(
        "Customer survival (Kaplan-Meier, 95% band)", survival_rows(result),
        encoding={"x": {"field": "months", "type": "quantitative", "title": "months since first payment"}},
        layer=[
            {"mark": {"type": "area", "opacity": 0.2, "interpolate": "step-after"},
             "encoding": {"y": {"field": "lower", "type": "quantitative"}, "y2": {"field": "upper"}}},
            {"mark": {"type": "line", "interpolate": "step-after"},
             "encoding": {"y": {"field": "survival", "type": "quantitative", "title": "surviving",
                                "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
                          "tooltip": tooltip}},
        ],
    )  # fmt: skip


def sbg_rows(figure: SbgFigure) -> list[dict[str, Any]]:
    projection = figure.group.projection if figure.group else None
    if projection is None:
        return []
    observed = [{"year": t, "survival": s, "series": "observed"}
                for t, s in enumerate(projection.observed_survival)]
    fitted = [{"year": t, "survival": s, "series": "sBG projection"}
              for t, s in enumerate(projection.survival)]
    return observed + fitted  # fmt: skip


def sbg_projection(figure: SbgFigure) -> Spec:
    return _base(
        f"Cohort {figure.cohort_year}: survival by year and sBG projection", sbg_rows(figure),
        mark={"type": "line", "point": True},
        encoding={
            "x": {"field": "year", "type": "ordinal", "title": "years since start"},
            "y": {"field": "survival", "type": "quantitative", "title": "surviving",
                  "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
            "color": {"field": "series", "type": "nominal", "title": None},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None},
            "tooltip": [{"field": "series"}, {"field": "year"}, {"field": "survival", "format": ".1%"}],
        },
    )  # fmt: skip
