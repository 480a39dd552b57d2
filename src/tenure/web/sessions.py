"""Web sign-in sessions in `web_sessions`: only the SHA-256 of the cookie's token is stored.

Never commits; the request's unit of work does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenure.kit.timeutil import utcnow
from tenure.models.users import User
from tenure.models.web import WebSession


@dataclass(frozen=True)
class SignedIn:
    """The person behind a valid session cookie."""

    session_id: int
    user_id: int
    email: str
    name: str | None
    role: str
    csrf_token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user_id: int, lifetime: timedelta) -> tuple[str, datetime]:
    """A new session for the user: returns (cookie token, expiry). Drops expired rows."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=expires,
        )
    )
    session.flush()
    return token, expires


def lookup(session: Session, token: str) -> SignedIn | None:
    """The signed-in user for a cookie token, or None (unknown, expired or inactive)."""
    query = (
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    )
    row = session.execute(query).first()
    if row is None:
        return None
    web_session, user = row
    if _aware(web_session.expires_at) <= utcnow() or not user.is_active:
        return None
    return SignedIn(
        session_id=web_session.id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        csrf_token=web_session.csrf_token,
    )


def end(session: Session, token: str) -> None:
    """Sign out: the session's row is deleted, so the cookie is worthless from now on."""
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))
    session.flush()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
