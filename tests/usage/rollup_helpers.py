"""Events for rollup tests, the from-scratch GROUP BY they are checked against, and a
reader of the rollup tables on either engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from tenure.usage.duckdb_store import DuckDBEventStore
from tenure.usage.postgres_store import PostgresEventStore
from tenure.usage.store import EVENT_SCHEMA, EventStore

T0 = datetime(2025, 3, 1, tzinfo=UTC)

Event = dict[str, Any]
EventRollup = dict[tuple[str, date, str], tuple[int, int]]
AccountRollup = dict[tuple[str, date], tuple[int, int]]


def event(
    message_id: str,
    at: datetime,
    account: str | None = "acc-1",
    user: str | None = "u1",
    name: str = "login",
    received_at: datetime = T0,
) -> Event:
    return {
        "message_id": message_id,
        "source": "test",
        "event_time": at,
        "received_at": received_at,
        "account_external_id": account,
        "user_id": user,
        "event": name,
        "properties": None,
    }


def table(events: Iterable[Event]) -> pa.Table:
    return pa.Table.from_pylist(list(events), schema=EVENT_SCHEMA)


def expected(events: Iterable[Event]) -> tuple[EventRollup, AccountRollup]:
    """The rollups computed from scratch in Python (events deduplicated by id)."""
    unique = {(e["source"], e["message_id"]): e for e in events}
    by_event: dict[tuple[str, date, str], list[str | None]] = defaultdict(list)
    by_account: dict[tuple[str, date], list[str | None]] = defaultdict(list)
    for e in unique.values():
        if e["account_external_id"] is None:
            continue
        day = e["event_time"].astimezone(UTC).date()
        by_event[(e["account_external_id"], day, e["event"])].append(e["user_id"])
        by_account[(e["account_external_id"], day)].append(e["user_id"])

    def summary(users: list[str | None]) -> tuple[int, int]:
        return len(users), len({u for u in users if u is not None})

    return (
        {key: summary(users) for key, users in by_event.items()},
        {key: summary(users) for key, users in by_account.items()},
    )


def _rows(store: EventStore, sql: str) -> list[tuple[Any, ...]]:
    if isinstance(store, DuckDBEventStore):
        with store.connect() as connection:
            return connection.execute(sql).fetchall()
    assert isinstance(store, PostgresEventStore)
    return store._connect().execute(sql).fetchall()


def stored(store: EventStore) -> tuple[EventRollup, AccountRollup]:
    """What the rollup tables hold, in the shape of `expected`."""
    events = _rows(
        store, "SELECT account_external_id, day, event, events, users FROM usage_daily_events"
    )
    accounts = _rows(
        store, "SELECT account_external_id, day, events, active_users FROM usage_daily_accounts"
    )
    return (
        {(a, d, e): (n, u) for a, d, e, n, u in events},
        {(a, d): (n, u) for a, d, n, u in accounts},
    )


def sql_group_by(store: EventStore) -> tuple[EventRollup, AccountRollup]:
    """The same GROUP BY, run by the engine over the stored events."""
    day = "CAST(event_time AT TIME ZONE 'UTC' AS DATE)"
    events = _rows(
        store,
        f"SELECT account_external_id, {day}, event, count(*), count(DISTINCT user_id) "
        "FROM events WHERE account_external_id IS NOT NULL GROUP BY 1, 2, 3",
    )
    accounts = _rows(
        store,
        f"SELECT account_external_id, {day}, count(*), count(DISTINCT user_id) "
        "FROM events WHERE account_external_id IS NOT NULL GROUP BY 1, 2",
    )
    return (
        {(a, d, e): (n, u) for a, d, e, n, u in events},
        {(a, d): (n, u) for a, d, n, u in accounts},
    )


def pending_pairs(store: EventStore) -> int:
    return int(_rows(store, "SELECT count(*) FROM usage_rollup_pending")[0][0])


def reset(store: EventStore) -> None:
    """Empty every table of the store (between property-test examples)."""
    for name in ("events", "usage_daily_events", "usage_daily_accounts",
                 "usage_rollup_pending", "usage_rollup_state"):  # fmt: skip
        _rows_no_result(store, f"DELETE FROM {name}")


def _rows_no_result(store: EventStore, sql: str) -> None:
    if isinstance(store, DuckDBEventStore):
        with store.connect() as connection:
            connection.execute(sql)
        return
    assert isinstance(store, PostgresEventStore)
    store._connect().execute(sql)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return T0 + timedelta(days=day, hours=hour, minutes=minute)
