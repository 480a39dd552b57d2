"""Health on the dashboard: grade distribution by segment and ARR at risk, from the
stored health snapshots (`tenure.health.service.score_summaries`) and today's ARR
(`tenure.subscriptions.service.mrr_by_account`); drill-downs list the accounts.

Empty state until accounts have been scored (`tenure health score`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tenure.analytics.inputs import LedgerTables
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.web.dashboards.schemas import Cell, Chart, DashboardParams, Empty, SectionView, Table
from tenure.web.dashboards.sections import Section, drill_links, section
from tenure.web.dashboards.traces import DrillRequest, Trace, TraceResult, TraceRow, register

GRADES = ("red", "yellow", "green", "not scored")
AT_RISK = ("red", "yellow")
GRADE_COLORS = ("#d9534f", "#e0a526", "#2f9e6e", "#9aa5b1")
NOT_SCORED = Empty("Health not scored yet",
                   "Run <code>tenure health score</code> (or let the <code>score-health</code> "
                   "job run) to score every account.")  # fmt: skip


@dataclass(frozen=True)
class HealthRow:
    account_id: int
    segment: str
    grade: str  # one of GRADES
    score: float | None
    pulling_down: str | None
    arr: Decimal
    churn_probability: float | None = None  # filled for at-risk accounts when scored


def churn_probabilities(context: AppContext, account_ids: list[int]) -> dict[int, float]:
    """The latest churn-model probability of each account that has one (per account:
    `tenure.churn.service.account_churn`; the churn service has no bulk read yet)."""
    from tenure.churn import service as churn

    found: dict[int, float] = {}
    with context.sessions() as session:
        for account_id in account_ids:
            scored = churn.account_churn(session, account_id)
            if scored is not None:
                found[account_id] = scored.probability
    return found


def with_churn(context: AppContext, rows: list[HealthRow]) -> list[HealthRow]:
    from dataclasses import replace

    risk = churn_probabilities(context, [r.account_id for r in rows])
    return [replace(r, churn_probability=risk.get(r.account_id)) for r in rows]


def health_rows(context: AppContext, source: LedgerTables, today: date) -> list[HealthRow] | None:
    """One row per account of the scope; None when nothing has been scored yet."""
    from tenure.health import service as health
    from tenure.subscriptions import service as subscriptions

    accounts = source.accounts.select("account_id", "segment").to_pyarrow().to_pylist()
    ids = [int(a["account_id"]) for a in accounts]
    with context.sessions() as session:
        summaries = health.score_summaries(session, today)
        if not summaries:
            return None
        mrr = subscriptions.mrr_by_account(session, ids, today)
    rows = []
    for account in accounts:
        summary = summaries.get(int(account["account_id"]))
        grade = summary.grade if summary is not None and summary.grade else "not scored"
        rows.append(HealthRow(
            int(account["account_id"]), account["segment"] or "(none)", grade,
            summary.score if summary else None, summary.pulling_down if summary else None,
            12 * mrr.get(int(account["account_id"]), Decimal("0.00")),
        ))  # fmt: skip
    return rows


def distribution_spec(counts: Counter[tuple[str, str]], href: Any) -> dict[str, Any]:
    data = [{"segment": seg, "grade": grade, "accounts": n, "href": href("health", item=grade, segment=seg)}
            for (seg, grade), n in sorted(counts.items())]  # fmt: skip
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "Accounts by health grade and segment", "width": "container", "height": 220,
        "data": {"values": data}, "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "y": {"field": "segment", "type": "nominal", "title": None},
            "x": {"field": "accounts", "type": "quantitative", "stack": "normalize",
                  "title": "share of accounts", "axis": {"format": ".0%"}},
            "color": {"field": "grade", "type": "nominal", "sort": list(GRADES),
                      "scale": {"domain": list(GRADES), "range": list(GRADE_COLORS)}},
            "href": {"field": "href"},
            "tooltip": [{"field": "segment"}, {"field": "grade"}, {"field": "accounts"}],
        },
        "config": {"view": {"stroke": None}},
    }  # fmt: skip


@section
class HealthSection(Section):
    name, title = "health", "Health and ARR at risk"

    def build(self, context: AppContext, source: LedgerTables | None, params: DashboardParams) -> SectionView:
        assert source is not None
        rows = health_rows(context, source, params.today)
        if rows is None:
            return SectionView(self.name, self.title, empty=NOT_SCORED)
        href = drill_links(params)
        counts = Counter((r.segment, r.grade) for r in rows)
        at_risk = with_churn(context, [r for r in rows if r.grade in AT_RISK])
        risk_arr = sum((r.arr for r in at_risk), Decimal(0))
        modelled = [r for r in at_risk if r.churn_probability is not None]
        expected = sum((r.arr * Decimal(str(r.churn_probability)) for r in modelled), Decimal(0))
        total_arr = sum((r.arr for r in rows), Decimal(0))
        stats = (
            ("ARR at risk (red + yellow)", Cell(risk_arr, "money", href("at_risk"))),
            ("Red ARR", Cell(sum((r.arr for r in rows if r.grade == "red"), Decimal(0)), "money",
                             href("at_risk", item="red"))),
            ("Accounts at risk", Cell(len(at_risk), "number", href("at_risk"))),
            ("Share of ARR at risk", Cell(risk_arr / total_arr if total_arr else None, "percent")),
        )  # fmt: skip
        if modelled:
            stats += (("At-risk ARR x churn probability", Cell(expected.quantize(Decimal("0.01")), "money",
                                                               href("at_risk"))),)  # fmt: skip
        segments = sorted({r.segment for r in rows})
        table_rows = tuple(
            (Cell(seg), *(Cell(counts.get((seg, g), 0), "number", href("health", item=g, segment=seg))
                          for g in GRADES))
            for seg in segments
        )  # fmt: skip
        return SectionView(
            self.name, self.title, stats=stats,
            charts=(Chart(distribution_spec(counts, href), "Health grade distribution by segment"),),
            tables=(Table("Accounts by segment and grade", ("segment", *GRADES), table_rows),),
        )  # fmt: skip


def _listing(rows: list[HealthRow], source: LedgerTables) -> tuple[TraceRow, ...]:
    labels = source.labels.select("account_id", "external_id").to_pyarrow().to_pylist()
    external = {int(r["account_id"]): r["external_id"] for r in labels}
    ordered = sorted(rows, key=lambda r: (-r.arr, external[r.account_id]))
    return tuple(TraceRow(external[r.account_id], {"grade": r.grade, "score": r.score,
                                                   "pulling_down": r.pulling_down, "arr": r.arr,
                                                   "churn_probability": r.churn_probability})
                 for r in ordered)  # fmt: skip


COLUMNS = ("grade", "score", "pulling_down", "arr", "churn_probability")


@register
class HealthTrace(Trace):
    """Accounts of one grade (in the scope; the link narrows the segment)."""

    kind = "health"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        if request.item not in GRADES:
            raise Invalid(f"grade: expected one of {', '.join(GRADES)}, got {request.item!r}")
        rows = health_rows(context, source, request.as_of or date.today()) or []
        chosen = with_churn(context, [r for r in rows if r.grade == request.item])
        return TraceResult(f"Accounts graded {request.item}", COLUMNS, _listing(chosen, source))


@register
class AtRiskTrace(Trace):
    """Accounts graded red or yellow (or only `item`), largest ARR first."""

    kind = "at_risk"

    def run(self, context: AppContext, source: LedgerTables, request: DrillRequest) -> TraceResult:
        grades = AT_RISK if request.item is None else (request.item,)
        if not set(grades) <= set(AT_RISK):
            raise Invalid(f"grade: expected red or yellow, got {request.item!r}")
        rows = health_rows(context, source, request.as_of or date.today()) or []
        chosen = with_churn(context, [r for r in rows if r.grade in grades])
        return TraceResult(f"ARR at risk: {' and '.join(grades)} accounts", COLUMNS, _listing(chosen, source))
