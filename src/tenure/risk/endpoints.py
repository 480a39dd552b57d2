"""API routes of the risk domain: `/api/v1/alerts` and `/api/v1/risk/...`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.api.auth import requires
from tenure.api.deps import get_context, get_page, get_session, get_today
from tenure.kit.context import AppContext
from tenure.kit.pagination import Page, PageParams
from tenure.risk import service
from tenure.risk.schemas import AlertOut, EvaluationOut, RulesOut

router = APIRouter(tags=["risk"])


@router.get("/api/v1/alerts", response_model=Page[AlertOut])
def list_alerts(
    page: Annotated[PageParams, Depends(get_page)],
    session: Annotated[Session, Depends(get_session)],
    account: Annotated[str | None, Query(description="Account external_id")] = None,
    rule: Annotated[str | None, Query(description="Rule name")] = None,
) -> Page[AlertOut]:
    """Early-warning alerts, newest first, each with the inputs that made it fire."""
    return service.list_alerts(session, account, rule, page)


@router.get("/api/v1/risk/rules", response_model=RulesOut)
def list_rules(context: Annotated[AppContext, Depends(get_context)]) -> RulesOut:
    """The early-warning rules with their thresholds (defaults and rules.yaml)."""
    return service.list_rules(context)


@router.post(
    "/api/v1/risk/evaluate", response_model=EvaluationOut, dependencies=[requires("manager")]
)
def evaluate(
    context: Annotated[AppContext, Depends(get_context)],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
    as_of: date | None = None,
) -> EvaluationOut:
    """Evaluate every rule for every account now (what the daily job does)."""
    return service.evaluate(context, session, as_of or today)
