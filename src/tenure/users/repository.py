"""Queries on `users`. Only flushes; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models.users import User


def by_email(session: Session, email: str) -> User | None:
    """Case-insensitive: imports may have stored an owner's address as the CRM spelled it."""
    query = select(User).where(func.lower(User.email) == email.lower()).order_by(User.id)
    return session.scalars(query).first()


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def count_active(session: Session, role: str) -> int:
    query = select(func.count()).select_from(User).where(User.role == role, User.is_active)
    return int(session.scalar(query) or 0)


# --- bulk helpers for imports (accounts' owner_email) -------------------------------


def ids_by_email(session: Session, emails: Collection[str]) -> dict[str, int]:
    """Lower-cased email -> user id, matching case-insensitively, in chunked queries."""
    found: dict[str, int] = {}
    lowered = sorted({email.lower() for email in emails})
    for chunk in bulk.chunked(lowered, bulk.LOOKUP_CHUNK):
        query = (
            select(func.lower(User.email), User.id)
            .where(func.lower(User.email).in_(chunk))
            .order_by(User.id.desc())
        )
        found.update({email: user_id for email, user_id in session.execute(query)})
    return found


def insert_users(session: Session, rows: Sequence[bulk.Record]) -> None:
    bulk.insert_rows(session, User, rows, batch=len(rows) or 1)
    session.flush()
