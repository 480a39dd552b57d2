"""API routes of the retention domain: `/api/v1/retention/...` (docs/retention.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tenure.analytics.sbg import DEFAULT_DISCOUNT, DEFAULT_HORIZON
from tenure.api.deps import get_context, get_today
from tenure.kit.context import AppContext
from tenure.retention import service
from tenure.retention.schemas import CohortTableOut, SbgCohortOut, SbgOut, SurvivalOut

router = APIRouter(prefix="/api/v1/retention", tags=["retention"])

By = Annotated[
    str | None, Query(description="Split by segment, industry, owner, plan or country")
]
Horizon = Annotated[int, Query(description="Periods projected beyond the data")]
Discount = Annotated[float, Query(description="Discount rate per period for DERL")]
Value = Annotated[float | None, Query(description="Value of one period, for lifetime value")]


@router.get("/sbg", response_model=SbgOut)
def sbg_survivors(
    survivors: Annotated[str, Query(description="Survivors S(0),S(1),... comma-separated")],
    horizon: Horizon = DEFAULT_HORIZON,
    discount: Discount = DEFAULT_DISCOUNT,
    value: Value = None,
) -> SbgOut:
    """sBG fitted to given survivors: gamma, delta, projected survival and retention, DERL."""
    counts = service.parse_survivors(survivors)
    projection = service.sbg_from_survivors(counts, horizon, discount)
    return SbgOut.from_result(projection, service.parse_value(value))


@router.get("/sbg/cohort", response_model=SbgCohortOut)
def sbg_cohort(
    context: Annotated[AppContext, Depends(get_context)],
    today: Annotated[date, Depends(get_today)],
    cohort: Annotated[int, Query(description="Cohort year: customers first paying that year")],
    by: By = None,
    as_of: Annotated[str | None, Query(description="Last month observed, YYYY-MM")] = None,
    horizon: Horizon = DEFAULT_HORIZON,
    discount: Discount = DEFAULT_DISCOUNT,
    value: Value = None,
) -> SbgCohortOut:
    """sBG per group over the annual survivors of one yearly cohort of customers."""
    month = service.parse_as_of(as_of, today)
    result = service.sbg_for_cohort(
        context, cohort, month, by=by, horizon=horizon, discount=discount
    )
    return SbgCohortOut.from_result(result, service.parse_value(value))


@router.get("/cohorts", response_model=CohortTableOut)
def cohorts(
    context: Annotated[AppContext, Depends(get_context)],
    from_: Annotated[str, Query(alias="from", description="First cohort month, YYYY-MM")],
    to: Annotated[str, Query(description="Last cohort month and last month observed")],
    by: By = None,
) -> CohortTableOut:
    """Logo and revenue retention of monthly cohorts by months since start."""
    start, end = service.parse_month(from_, "from"), service.parse_month(to, "to")
    table = service.cohort_table(context, start, end, by=by)
    return CohortTableOut.from_result(table)


@router.get("/survival", response_model=SurvivalOut)
def survival(
    context: Annotated[AppContext, Depends(get_context)],
    today: Annotated[date, Depends(get_today)],
    by: By = None,
    as_of: Annotated[str | None, Query(description="Last month observed, YYYY-MM")] = None,
) -> SurvivalOut:
    """Kaplan-Meier customer survival by months since the first paid month, censored."""
    month = service.parse_as_of(as_of, today)
    result = service.survival_curves(context, month, by=by)
    return SurvivalOut.from_result(result)
