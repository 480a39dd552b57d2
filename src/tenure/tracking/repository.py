"""Queries of the tracking domain: ingestion sources and the users they identify."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import Account, Source, TrackedUser


def source_by_key_hash(session: Session, key_hash: str) -> Source | None:
    return session.scalar(select(Source).where(Source.write_key_hash == key_hash))


def source_by_name(session: Session, name: str) -> Source | None:
    return session.scalar(select(Source).where(Source.name == name))


def add_source(session: Session, name: str, key_hash: str, hint: str) -> Source:
    source = Source(name=name, write_key_hash=key_hash, write_key_hint=hint, is_active=True)
    session.add(source)
    session.flush()
    return source


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def tracked_users(session: Session, source_id: int, user_ids: Collection[str]) -> dict[str, TrackedUser]:
    """The stored users of one source among `user_ids`, by user id (chunked IN lists)."""
    found: dict[str, TrackedUser] = {}
    for chunk in bulk.chunked(sorted(set(user_ids)), bulk.LOOKUP_CHUNK):
        query = select(TrackedUser).where(
            TrackedUser.source_id == source_id, TrackedUser.user_id.in_(chunk)
        )
        found.update({user.user_id: user for user in session.scalars(query)})
    return found


def add_tracked_user(session: Session, source_id: int, user_id: str, seen: datetime) -> TrackedUser:
    user = TrackedUser(source_id=source_id, user_id=user_id, last_seen_at=seen)
    session.add(user)
    session.flush()
    return user


def latest_groups(
    session: Session, source_id: int, user_ids: Collection[str]
) -> dict[str, str | None]:
    """user id -> external id of the account of the user's latest `group` (None: no
    account) for the stored users of one source among `user_ids`."""
    found: dict[str, str | None] = {}
    for chunk in bulk.chunked(sorted(set(user_ids)), bulk.LOOKUP_CHUNK):
        query = (
            select(TrackedUser.user_id, Account.external_id)
            .outerjoin(Account, Account.id == TrackedUser.account_id)
            .where(TrackedUser.source_id == source_id, TrackedUser.user_id.in_(chunk))
        )
        found.update({user_id: external for user_id, external in session.execute(query)})
    return found
