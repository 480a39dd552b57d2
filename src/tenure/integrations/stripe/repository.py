"""Queries on `integration_events` for Stripe: idempotency and per-object ordering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.models import IntegrationEvent

PROVIDER = "stripe"


@dataclass(frozen=True)
class Applied:
    """The newest event applied to one Stripe object."""

    event_id: str
    event_type: str
    created: datetime


def _utc(value: datetime) -> datetime:
    # SQLite returns naive datetimes for DateTime(timezone=True); they were stored as UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def event_seen(session: Session, event_id: str) -> bool:
    query = select(IntegrationEvent.id).where(
        IntegrationEvent.provider == PROVIDER, IntegrationEvent.event_id == event_id
    )
    return session.scalar(query) is not None


def last_applied(session: Session, object_id: str) -> Applied | None:
    event = IntegrationEvent
    query = (
        select(event.event_id, event.event_type, event.event_created)
        .where(
            event.provider == PROVIDER,
            event.object_id == object_id,
            event.status == "processed",
        )
        .order_by(event.event_created.desc(), event.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    return None if row is None else Applied(row[0], row[1], _utc(row[2]))


def record(session: Session, **values: object) -> None:
    session.add(IntegrationEvent(provider=PROVIDER, **values))
    session.flush()
