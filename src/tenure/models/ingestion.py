"""Data coming in from outside: tracking sources (write keys), the people those sources
identify, and the log of integration webhook events (idempotency and ordering)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenure.models.base import Base, Timestamped


class Source(Timestamped, Base):
    """A Segment-compatible ingestion source. Only a hash of its write key is stored."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    write_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    write_key_hint: Mapped[str] = mapped_column(String(12))  # first characters, for display
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class TrackedUser(Timestamped, Base):
    """A product user seen by `identify`/`group` calls: traits, latest group (account) and
    the contact it became, so `track` calls without a groupId can be attributed."""

    __tablename__ = "tracked_users"
    __table_args__ = (UniqueConstraint("source_id", "user_id", name="uq_tracked_users_source_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    traits: Mapped[str | None] = mapped_column(Text)  # JSON object
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntegrationEvent(Base):
    """One webhook event from an integration (Stripe, ...), recorded once by its id."""

    __tablename__ = "integration_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id", name="uq_integration_events_provider_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(200), index=True)
    event_created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))  # processed, ignored, failed
    error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
