"""API routes of the usage domain: `/api/v1/accounts/{external_id}/usage`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.api.deps import get_context, get_session, get_today
from tenure.kit.context import AppContext
from tenure.usage import service
from tenure.usage.schemas import AccountUsageOut

router = APIRouter(prefix="/api/v1", tags=["usage"])


@router.get(
    "/accounts/{external_id}/usage",
    response_model=AccountUsageOut,
    response_model_by_alias=True,
)
def account_usage(
    external_id: str,
    context: Annotated[AppContext, Depends(get_context)],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
    from_: Annotated[
        date | None, Query(alias="from", description="First day, YYYY-MM-DD (UTC)")
    ] = None,
    to: Annotated[date | None, Query(description="Last day, YYYY-MM-DD; default today")] = None,
) -> AccountUsageOut:
    """Daily events and active users, top events, 7/30-day active users and last seen
    (docs/usage.md). The window defaults to the 30 days ending today."""
    start, end = service.usage_window(from_, to, today)
    return service.account_usage(session, context.events, external_id, start, end)
