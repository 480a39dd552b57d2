"""API routes of the metrics domain: `/api/v1/metrics/...`.

Each route has the shape of the CLI commands: parse the query, call one service
function, return its output model (`from_result`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tenure.api.deps import get_context
from tenure.kit.context import AppContext
from tenure.metrics import service
from tenure.metrics.schemas import (
    CmrrOut,
    EconomicsOut,
    RenewalsOut,
    RetentionOut,
    RevenueMovementsOut,
    RevenueSeriesOut,
)

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


By = Annotated[
    str | None, Query(description="Break down by segment, plan, owner or industry")
]


@router.get("/revenue", response_model=RevenueSeriesOut)
def revenue(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM")],
    to: Annotated[str, Query(description="Last month, YYYY-MM")],
    by: By = None,
) -> RevenueSeriesOut:
    """Monthly MRR/ARR with new, expansion, contraction, churn and reactivation, overall
    and per group with `by` (docs/metrics.md)."""
    months = service.parse_month_range(from_, to)
    return RevenueSeriesOut.from_result(service.revenue_series(context, months.start, months.end, by=by))


@router.get("/revenue/accounts", response_model=RevenueMovementsOut)
def revenue_accounts(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM")],
    to: Annotated[str, Query(description="Last month, YYYY-MM")],
    movement: Annotated[
        str | None,
        Query(description="Only new, reactivation, expansion, contraction or churn"),
    ] = None,
    by: By = None,
) -> RevenueMovementsOut:
    """The accounts behind the revenue series: every account whose month-end MRR changed
    in a month, with its movement, MRR before and after (docs/metrics.md)."""
    months = service.parse_month_range(from_, to)
    return RevenueMovementsOut.from_result(
        service.revenue_movements(context, months.start, months.end, movement=movement, by=by)
    )


@router.get("/retention", response_model=RetentionOut)
def retention(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM")],
    to: Annotated[str, Query(description="Last month, YYYY-MM")],
    by: By = None,
) -> RetentionOut:
    """NRR, GRR and logo churn of the start cohort over a period (docs/metrics.md)."""
    months = service.parse_month_range(from_, to)
    return RetentionOut.from_result(service.period_retention(context, months.start, months.end, by=by))


@router.get("/renewals", response_model=RenewalsOut)
def renewals(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First day, YYYY-MM-DD")],
    to: Annotated[str, Query(description="Last day, YYYY-MM-DD")],
    grace_days: Annotated[int, Query(description="Days after the end a renewal may start")] = 30,
    as_of: Annotated[str | None, Query(description="Outcomes as of YYYY-MM-DD; default today")] = None,
    by: By = None,
) -> RenewalsOut:
    """Logo and ARR renewal rates with every due account and the sales pool."""
    first, last = service.parse_day(from_, "from"), service.parse_day(to, "to")
    day = None if as_of is None else service.parse_day(as_of, "as_of")
    result = service.renewals(context, first, last, grace_days=grace_days, as_of=day, by=by)
    return RenewalsOut.from_result(result)


@router.get("/economics", response_model=EconomicsOut)
def economics(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM")],
    to: Annotated[str, Query(description="Last month, YYYY-MM")],
    by: By = None,
) -> EconomicsOut:
    """ARPA, monthly logo churn, LTV, CAC, LTV:CAC and CAC payback months."""
    months = service.parse_month_range(from_, to)
    return EconomicsOut.from_result(service.unit_economics(context, months.start, months.end, by=by))


@router.get("/cmrr", response_model=CmrrOut)
def cmrr(
    context: Annotated[AppContext, Depends(get_context)],
    as_of: Annotated[str | None, Query(description="Day, YYYY-MM-DD; default today")] = None,
    by: By = None,
) -> CmrrOut:
    """Committed MRR with its parts."""
    day = None if as_of is None else service.parse_day(as_of, "as_of")
    return CmrrOut.from_result(service.committed_mrr(context, day, by=by))
