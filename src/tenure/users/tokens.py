"""API tokens: bearer credentials for `/api/v1`. Never commits; the caller does.

A token is `tnr_` plus 43 random URL-safe characters, shown once when created. Only its
SHA-256 is stored (a token has 256 bits of entropy, so a slow hash adds nothing), with a
hint (`tnr_...` + the last 4 characters) so people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.errors import Invalid, NotFound
from tenure.kit.timeutil import utcnow
from tenure.models.users import ApiToken, User
from tenure.users import repository
from tenure.users.schemas import normalize_email

PREFIX = "tnr_"
MAX_NAME_LENGTH = 100
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenOut(BaseModel):
    """A token as listed: never the token itself."""

    id: int
    email: str
    name: str
    hint: str
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str  # shown once


class TokenOwner(BaseModel):
    """Whom a valid token speaks for."""

    token_id: int
    user_id: int
    email: str
    role: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, email: str, name: str) -> TokenCreated:
    """A new token for the user with this email; the returned `token` is not stored."""
    user = repository.by_email(session, normalize_email(email))
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"the token name must be 1 to {MAX_NAME_LENGTH} characters")
    token = PREFIX + secrets.token_urlsafe(32)
    hint = PREFIX + "..." + token[-4:]
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(token), token_hint=hint)
    session.add(row)
    session.flush()
    session.refresh(row)
    return TokenCreated(token=token, **_out(row, user).model_dump())


def list_tokens(session: Session, email: str | None = None) -> list[TokenOut]:
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    if email is not None:
        query = query.where(User.email == normalize_email(email))
    rows = session.execute(query.order_by(User.email, ApiToken.id))
    return [_out(token, user) for token, user in rows]


def revoke_token(session: Session, token_id: int) -> TokenOut:
    """Revoke by id (as listed). Revoking a revoked token keeps its first revocation time."""
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    row = session.execute(query.where(ApiToken.id == token_id)).first()
    if row is None:
        raise NotFound(f"no API token with id {token_id}")
    token, user = row
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return _out(token, user)


def authenticate(session: Session, token: str) -> TokenOwner | None:
    """The owner of a valid token (not revoked, user active), else None. Records the use
    in `last_used_at` (to the minute)."""
    if not token.startswith(PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.revoked_at is not None or not user.is_active:
        return None
    now = utcnow()
    last = _aware(api_token.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        # At most one write per token a minute: reads stay read-only in between.
        api_token.last_used_at = now
        session.flush()
    return TokenOwner(token_id=api_token.id, user_id=user.id, email=user.email, role=user.role)


def _out(token: ApiToken, user: User) -> TokenOut:
    return TokenOut(
        id=token.id,
        email=user.email,
        name=token.name,
        hint=token.token_hint,
        created_at=_aware(token.created_at),
        last_used_at=_aware(token.last_used_at),
        revoked_at=_aware(token.revoked_at),
    )


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
