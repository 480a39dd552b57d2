"""Queries over the accounts table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.models.accounts import Account


def all_external_ids(session: Session) -> list[str]:
    """Every account's external id (imports check references against this set)."""
    return list(session.scalars(select(Account.external_id)))
