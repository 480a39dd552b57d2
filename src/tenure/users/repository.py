"""Queries of the users domain."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import User


def ids_by_email(session: Session, emails: Collection[str]) -> dict[str, int]:
    """Lower-cased email -> user id, matching case-insensitively."""
    found: dict[str, int] = {}
    lowered = sorted({email.lower() for email in emails})
    for chunk in bulk.chunked(lowered, bulk.LOOKUP_CHUNK):
        query = select(func.lower(User.email), User.id).where(func.lower(User.email).in_(chunk))
        found.update({email: user_id for email, user_id in session.execute(query)})
    return found


def insert_users(session: Session, rows: Sequence[bulk.Record]) -> None:
    bulk.insert_rows(session, User, rows, batch=len(rows) or 1)
    session.flush()
