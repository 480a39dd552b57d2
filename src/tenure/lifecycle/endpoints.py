"""API routes of the lifecycle domain: an account's onboarding milestones."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tenure.api.deps import account_id_of, get_session, get_today
from tenure.lifecycle import service
from tenure.lifecycle.schemas import MilestoneComplete, MilestoneOut

router = APIRouter(prefix="/api/v1/accounts", tags=["lifecycle"])


@router.get("/{external_id}/milestones", response_model=list[MilestoneOut])
def list_milestones(
    external_id: str,
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
    as_of: date | None = None,
) -> list[MilestoneOut]:
    """The account's onboarding milestones with their status on `as_of` (default today)."""
    account_id = account_id_of(session, external_id)
    return service.list_milestones(session, account_id, as_of or today)  # type: ignore[arg-type]


@router.post("/{external_id}/milestones/{key}/complete", response_model=MilestoneOut)
def complete_milestone(
    external_id: str,
    key: str,
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
    data: MilestoneComplete | None = None,
) -> MilestoneOut:
    """Mark a milestone completed (on `completed_on`, default today)."""
    account_id = account_id_of(session, external_id)
    day = (data.completed_on if data else None) or today
    return service.complete_milestone(session, account_id, key, day)  # type: ignore[arg-type]


@router.post("/{external_id}/milestones/plan", response_model=list[MilestoneOut])
def plan_milestones(
    external_id: str,
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> list[MilestoneOut]:
    """Plan the milestones of the account's first paying contract (idempotent)."""
    account_id = account_id_of(session, external_id)
    service.plan_milestones(session, [account_id])  # type: ignore[list-item]
    return service.list_milestones(session, account_id, today)  # type: ignore[arg-type]
