"""The renewals pipeline: terms falling due by quarter with their outcomes and the sales
pool, for a scope of accounts (METRICS.md section 4, `tenure.analytics.renewals` via the
dashboards' scoped ledger, the same figures `tenure metrics renewals` prints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tenure.analytics.metric_results import RenewalAccount
from tenure.kit.context import AppContext
from tenure.web.dashboards import figures
from tenure.web.dashboards.figures import Quarter, QuarterRenewals
from tenure.web.dashboards.scope import Scope

QUARTERS_BEFORE, QUARTERS_AFTER = 2, 3
STATUSES = ("renewed", "pending", "churned")
STATUS_COLORS = ("#2f9e6e", "#e0a526", "#d9534f")


@dataclass(frozen=True)
class Pipeline:
    as_of: date
    grace_days: int
    quarters: tuple[QuarterRenewals, ...]
    selected: QuarterRenewals
    pool: tuple[tuple[str, RenewalAccount], ...]  # (quarter label, account) released to the pool


def pipeline_quarters(today: date) -> tuple[Quarter, ...]:
    current = Quarter.of(today)
    return tuple(current.shifted(k) for k in range(-QUARTERS_BEFORE, QUARTERS_AFTER + 1))


def build_pipeline(context: AppContext, scope: Scope, today: date, selected: Quarter | None,
                   grace_days: int = figures.GRACE_DAYS) -> Pipeline:  # fmt: skip
    """Due, renewed, pending and churned per quarter (outcomes as of today) and the pool."""
    quarters = pipeline_quarters(today)
    wanted = selected or Quarter.of(today)
    if wanted not in quarters:
        quarters = tuple(sorted((*quarters, wanted), key=lambda q: (q.year, q.number)))
    with figures.scoped_ledger(context, scope) as source:
        results = figures.renewals_by_quarter(source, quarters, today, grace_days)
    chosen = next(r for r in results if r.quarter == wanted)
    pool = tuple(sorted(((r.quarter.label, a) for r in results for a in r.result.pool),
                        key=lambda item: (item[1].released_to_pool_on, item[1].external_id),
                        reverse=True))  # fmt: skip
    return Pipeline(today, grace_days, results, chosen, pool)


def pipeline_spec(pipeline: Pipeline, href: Any) -> dict[str, Any]:
    """Due ARR per quarter stacked by outcome; each block links to its accounts."""
    data = []
    for q in pipeline.quarters:
        arr: dict[str, Decimal] = {s: Decimal(0) for s in STATUSES}
        for account in q.result.accounts:
            arr[account.status] += account.due_arr
        for status in STATUSES:
            if arr[status]:
                data.append({"quarter": q.quarter.label, "status": status, "due_arr": float(arr[status]),
                             "href": href(q.quarter.label, status)})  # fmt: skip
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "ARR due by quarter and outcome", "width": "container", "height": 260,
        "data": {"values": data}, "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "x": {"field": "quarter", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": "due_arr", "type": "quantitative", "title": "ARR due"},
            "color": {"field": "status", "type": "nominal", "sort": list(STATUSES),
                      "scale": {"domain": list(STATUSES), "range": list(STATUS_COLORS)}},
            "href": {"field": "href"},
            "tooltip": [{"field": "quarter"}, {"field": "status"},
                        {"field": "due_arr", "format": ",.0f", "title": "ARR due"}],
        },
        "config": {"view": {"stroke": None}},
    }  # fmt: skip
