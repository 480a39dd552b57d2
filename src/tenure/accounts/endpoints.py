"""API routes of the accounts domain: `/api/v1/accounts`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.accounts import service
from tenure.accounts.schemas import AccountDetail, AccountFilters, AccountOut
from tenure.api.deps import get_page, get_session, get_today
from tenure.kit.pagination import Page, PageParams

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])


@router.get("", response_model=Page[AccountOut])
def list_accounts(
    filters: Annotated[AccountFilters, Query()],
    page: Annotated[PageParams, Depends(get_page)],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Page[AccountOut]:
    """Accounts with today's MRR and ARR, filtered and paginated."""
    return service.list_accounts(session, filters, page, today)


@router.get("/{external_id}", response_model=AccountDetail)
def get_account(
    external_id: str,
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> AccountDetail:
    """One account with its subsidiaries, contact count and active terms."""
    return service.get_account(session, external_id, today)
