"""API routes of the contacts domain: `/api/v1/contacts`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.api.deps import account_id_of, get_page, get_session
from tenure.contacts import service
from tenure.contacts.schemas import ContactFilters, ContactOut
from tenure.kit.pagination import Page, PageParams
from tenure.models.types import ContactRole

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])


@router.get("", response_model=Page[ContactOut])
def list_contacts(
    page: Annotated[PageParams, Depends(get_page)],
    session: Annotated[Session, Depends(get_session)],
    account: Annotated[str | None, Query(description="Account external_id")] = None,
    role: ContactRole | None = None,
    email: str | None = None,
) -> Page[ContactOut]:
    """Contacts, optionally of one account, with one role or one email."""
    filters = ContactFilters(account_id=account_id_of(session, account), role=role, email=email)
    return service.list_contacts(session, filters, page)
