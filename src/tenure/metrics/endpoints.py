"""API routes of the metrics domain: `/api/v1/metrics/...`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tenure.api.deps import get_context
from tenure.kit.context import AppContext
from tenure.metrics import service
from tenure.metrics.schemas import RevenueSeriesOut

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])



@router.get("/revenue", response_model=RevenueSeriesOut)
def revenue(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM")],
    to: Annotated[str, Query(description="Last month, YYYY-MM")],
) -> RevenueSeriesOut:
    """Monthly MRR/ARR with new, expansion, contraction, churn and reactivation
    (docs/metrics.md)."""
    months = service.parse_month_range(from_, to)
    series = service.revenue_series(context, months.start, months.end)
    return RevenueSeriesOut.from_result(series)
