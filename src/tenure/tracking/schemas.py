"""Shapes of the tracking API: Segment messages in (lenient on extra fields), sources out.

A message is validated on its own, so one bad message in a batch is rejected alone
(see docs/tracking.md). Ids given as numbers are accepted and kept as text, like Segment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter


def _id_text(value: Any) -> Any:
    """Segment SDKs accept numeric ids; store them as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


IdText = Annotated[str, BeforeValidator(_id_text), Field(min_length=1, max_length=200)]


class Lenient(BaseModel):
    # Fields Tenure does not use are ignored, not copied: validation is the hot path.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Context(Lenient):
    group_id: IdText | None = Field(default=None, alias="groupId")


class Message(Lenient):
    """Fields common to every call (Segment spec, common fields)."""

    type: str
    message_id: Annotated[str, BeforeValidator(_id_text)] | None = Field(
        default=None, alias="messageId", max_length=200
    )
    user_id: IdText | None = Field(default=None, alias="userId")
    anonymous_id: IdText | None = Field(default=None, alias="anonymousId")
    timestamp: datetime | None = None
    original_timestamp: datetime | None = Field(default=None, alias="originalTimestamp")
    context: Context = Field(default_factory=Context)

    # Times keep their offset; Arrow converts them to UTC when the events are stored
    # (a time without offset is UTC).

    def event_time(self, received_at: datetime) -> datetime:
        return self.timestamp or self.original_timestamp or received_at


class Identify(Message):
    type: Literal["identify"]
    traits: dict[str, Any] = Field(default_factory=dict)


class Track(Message):
    type: Literal["track"]
    event: str = Field(min_length=1, max_length=200)
    properties: dict[str, Any] | None = None


class Page(Message):
    type: Literal["page", "screen"]
    name: str | None = None
    category: str | None = None
    properties: dict[str, Any] | None = None


class Group(Message):
    type: Literal["group"]
    group_id: IdText = Field(alias="groupId")
    traits: dict[str, Any] = Field(default_factory=dict)


AnyMessage = Annotated[Identify | Track | Page | Group, Field(discriminator="type")]
MESSAGE = TypeAdapter(AnyMessage)


class Rejection(BaseModel):
    """A message of an accepted request that was not stored, and why."""

    index: int
    message_id: str | None = Field(default=None, serialization_alias="messageId")
    reason: str


class Accepted(BaseModel):
    """The answer to an accepted request (Segment answers `{"success": true}`)."""

    success: bool = True
    rejected: list[Rejection] = Field(default_factory=list)


class SourceCreated(BaseModel):
    name: str
    write_key: str


class SourceOut(BaseModel):
    name: str
    write_key_hint: str
    is_active: bool
    created_at: datetime | None
    events: int
    unattributed: int
    rejected: int = 0  # messages rejected ever (persisted in the event store)
    rejected_by_reason: dict[str, int] = Field(default_factory=dict)  # reason code -> count
    rejected_since_start: int | None = None
