"""Which accounts are in the signed-in person's book (the accounts they own)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.models.accounts import Account


def book(session: Session, user_id: int) -> dict[str, str]:
    """external_id -> name of the accounts the user owns."""
    query = select(Account.external_id, Account.name).where(Account.owner_id == user_id)
    return {external_id: name for external_id, name in session.execute(query)}
