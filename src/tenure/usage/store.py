"""The usage event store: one interface over DuckDB (embedded default) and PostgreSQL.

Writes are bulk only (Arrow tables); row-by-row inserts are ~1000x slower on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pyarrow as pa

# Column order and Arrow types of a batch handed to `EventStore.append`.
EVENT_SCHEMA = pa.schema(
    [
        ("message_id", pa.string()),  # unique per source; deduplicated on append
        ("source", pa.string()),  # ingestion source name ("import", "demo", a write key's source)
        ("event_time", pa.timestamp("us", tz="UTC")),
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("account_external_id", pa.string()),  # null: not attributed to an account (yet)
        ("user_id", pa.string()),
        ("event", pa.string()),
        ("properties", pa.string()),  # a JSON object as text, or null
    ]
)


@dataclass(frozen=True)
class EventStats:
    events: int
    accounts: int
    first: datetime | None
    last: datetime | None


class EventStore(Protocol):
    url: str

    def ensure_schema(self) -> None:
        """Create the events table and indexes if missing."""

    def append(self, events: pa.Table, *, deduplicate: bool = True) -> int:
        """Store a batch atomically; with `deduplicate`, skip (source, message_id) pairs
        already stored or repeated in the batch. Returns the number of rows stored."""

    def stats(self) -> EventStats:
        """Totals over all stored events."""

    def close(self) -> None:
        """Release connections and file locks."""


def open_event_store(url: str) -> EventStore:
    """Open the store named by a `TENURE_EVENTS_URL` (DuckDB path/URL or PostgreSQL URL)."""
    raise NotImplementedError("implemented by the usage event store work")
