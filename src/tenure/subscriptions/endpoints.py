"""API routes of the subscriptions domain: `/api/v1/subscriptions`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.api.deps import account_id_of, get_page, get_session
from tenure.kit.pagination import Page, PageParams
from tenure.subscriptions import service
from tenure.subscriptions.schemas import TermFilters, TermOut

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions"])


@router.get("", response_model=Page[TermOut])
def list_terms(
    page: Annotated[PageParams, Depends(get_page)],
    session: Annotated[Session, Depends(get_session)],
    account: Annotated[str | None, Query(description="Account external_id")] = None,
    plan: str | None = None,
    active_on: Annotated[date | None, Query(description="Only terms active that day")] = None,
) -> Page[TermOut]:
    """Subscription terms with their MRR (METRICS.md section 1)."""
    filters = TermFilters(account_id=account_id_of(session, account), plan=plan, active_on=active_on)
    return service.list_terms(session, filters, page)
