"""The usage event store: one interface over DuckDB (embedded default) and PostgreSQL.

Writes are bulk only (Arrow tables); row-by-row inserts are ~1000x slower on both engines.
Backends register themselves by URL scheme (`register_backend`); `open_event_store` looks
the scheme up, so adding an engine is one new module, not another branch here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from tenure.errors import Invalid

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

# Messages the tracking API rejected, per source and reason code (tenure.tracking.intake),
# kept beside the events so `tenure sources list` and the API show them after a restart.
REJECTIONS_TABLE = """CREATE TABLE IF NOT EXISTS tracking_rejections (
    source VARCHAR NOT NULL, reason VARCHAR NOT NULL, messages BIGINT NOT NULL,
    last_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (source, reason))"""


def rejections_upsert(param: str) -> str:
    values = ", ".join([param] * 4)
    return (
        f"INSERT INTO tracking_rejections (source, reason, messages, last_at) VALUES ({values}) "
        "ON CONFLICT (source, reason) DO UPDATE SET "
        "messages = tracking_rejections.messages + excluded.messages, last_at = excluded.last_at"
    )


REJECTIONS_SELECT = "SELECT source, reason, messages FROM tracking_rejections"

# Columns that may not be null in the stored table (both engines).
REQUIRED_COLUMNS = ("message_id", "source", "event_time", "received_at", "event")


@dataclass(frozen=True)
class EventStats:
    events: int
    accounts: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class RollupReport:
    """What one rollup run did: a full rebuild or the (account, day) groups it redid."""

    full: bool
    account_days: int
    seconds: float


@dataclass(frozen=True)
class DailyUsage:
    """One account's day from the rollups: events and distinct users (UTC days)."""

    day: date
    events: int
    active_users: int


@dataclass(frozen=True)
class EventUsage:
    """One event name over a window: how often and by how many distinct users."""

    name: str
    count: int
    distinct_users: int


@dataclass(frozen=True)
class AccountActivity:
    """Distinct users over trailing windows ending on a day, and the last event seen."""

    active_users: dict[int, int]  # window length in days -> distinct users
    last_seen: datetime | None
    rollups_refreshed_at: datetime | None


class EventStore(Protocol):
    url: str

    def ensure_schema(self) -> None:
        """Create the events table and indexes if missing."""

    def append(self, events: pa.Table, *, deduplicate: bool = True) -> int:
        """Store a batch atomically; with `deduplicate`, skip (source, message_id) pairs
        already stored or repeated in the batch. Returns the number of rows stored."""

    def stats(self) -> EventStats:
        """Totals over all stored events."""

    def record_rejections(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add (source, reason code) -> rejected messages to the stored counts."""

    def rejections(self) -> dict[tuple[str, str], int]:
        """The stored rejected-message counts by (source, reason code)."""

    def refresh_rollups(self, *, full: bool = False) -> RollupReport:
        """Bring the daily rollup tables up to date with the stored events (docs/usage.md):
        recompute the (account, day) groups touched since the last run, or all of them."""

    def daily_usage(self, account: str, start: date, end: date) -> list[DailyUsage]:
        """The account's days from `start` to `end` (inclusive) that have events."""

    def top_events(self, account: str, start: date, end: date, limit: int) -> list[EventUsage]:
        """The account's most frequent events over the days `start`..`end` (inclusive)."""

    def activity(self, account: str, end: date, windows: tuple[int, ...]) -> AccountActivity:
        """Distinct users over each `windows` days ending on `end`; last event time."""

    def close(self) -> None:
        """Release connections and file locks."""


StoreFactory = Callable[[str], EventStore]
EVENT_STORE_BACKENDS: dict[str, StoreFactory] = {}


def register_backend(*schemes: str) -> Callable[[StoreFactory], StoreFactory]:
    """Class decorator: the store class is built from the URL for each of `schemes`."""

    def decorate(factory: StoreFactory) -> StoreFactory:
        for scheme in schemes:
            EVENT_STORE_BACKENDS[scheme] = factory
        return factory

    return decorate


def url_scheme(url: str) -> str:
    """`duckdb:///x` -> 'duckdb'; a bare file path (no `://`) is a DuckDB file."""
    scheme, sep, _rest = url.partition("://")
    return scheme.lower() if sep else "duckdb"


def open_event_store(url: str) -> EventStore:
    """Open the store named by a `TENURE_EVENTS_URL` (DuckDB path/URL or PostgreSQL URL).

    Nothing connects here; each backend connects on first use."""
    import tenure.usage.backends  # noqa: F401 - registers every backend

    scheme = url_scheme(url)
    try:
        factory = EVENT_STORE_BACKENDS[scheme]
    except KeyError:
        known = ", ".join(f"{name}://" for name in sorted(EVENT_STORE_BACKENDS))
        raise Invalid(f"unsupported events URL scheme {scheme!r}; use one of: {known}") from None
    return factory(url)


def conform(events: pa.Table) -> pa.Table:
    """The batch with exactly EVENT_SCHEMA's columns, in order and types (casts if needed)."""
    missing = [name for name in EVENT_SCHEMA.names if name not in events.column_names]
    if missing:
        raise Invalid(f"event batch lacks columns: {', '.join(missing)}")
    table = events.select(EVENT_SCHEMA.names)
    if table.schema.equals(EVENT_SCHEMA):
        return table
    return table.cast(EVENT_SCHEMA)


def touched_days(batch: pa.Table) -> pa.Table:
    """The distinct (account_external_id, day) pairs of a conformed batch, UTC days,
    unattributed events left out: the rollup groups an append makes stale."""
    attributed = batch.filter(pc.is_valid(batch["account_external_id"]))
    days = pc.cast(attributed["event_time"], pa.date32())
    keys = pa.table({"account_external_id": attributed["account_external_id"], "day": days})
    return keys.group_by(["account_external_id", "day"]).aggregate([])
