"""API routes of the churn domain: `/api/v1/churn/...` (docs/churn.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tenure.api.auth import requires
from tenure.api.deps import get_session
from tenure.churn import service
from tenure.churn.schemas import AccountChurnOut, ModelOut

router = APIRouter(prefix="/api/v1/churn", tags=["churn"])

DbSession = Annotated[Session, Depends(get_session)]


@router.get("/accounts/{external_id}", response_model=AccountChurnOut)
def account_churn(external_id: str, session: DbSession) -> AccountChurnOut:
    """The account's latest churn probability with the features driving it."""
    return service.account_churn_by_external_id(session, external_id)


@router.get("/models", response_model=list[ModelOut])
def models(session: DbSession) -> list[ModelOut]:
    """Every stored model version with its backtest metrics, newest first."""
    return service.list_models(session)


@router.get("/models/active", response_model=ModelOut)
def active_model(session: DbSession) -> ModelOut:
    """The model that scores accounts now."""
    return service.active_model(session)


@router.post(
    "/models/{version}/activate", response_model=ModelOut, dependencies=[requires("manager")]
)
def activate(version: int, session: DbSession) -> ModelOut:
    """Make a stored version the active model (e.g. roll back a retraining)."""
    return service.activate_model(session, version)
