"""The event store on both engines: dedup, atomicity, stats, URL handling."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from tenure.errors import Invalid
from tenure.usage.duckdb_store import DuckDBEventStore, duckdb_path
from tenure.usage.postgres_store import PostgresEventStore
from tenure.usage.store import EVENT_SCHEMA, EventStore, open_event_store

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def batch(*rows: dict[str, object]) -> pa.Table:
    """Events with defaults for every column a test does not care about."""
    full = []
    for i, row in enumerate(rows):
        full.append(
            {
                "message_id": f"m{i}",
                "source": "test",
                "event_time": T0 + timedelta(hours=i),
                "received_at": T0,
                "account_external_id": "acc-1",
                "user_id": "u1",
                "event": "login",
                "properties": None,
            }
            | row
        )
    return pa.Table.from_pylist(full, schema=EVENT_SCHEMA)


def test_empty_store_has_zero_stats(store: EventStore) -> None:
    stats = store.stats()
    assert (stats.events, stats.accounts, stats.first, stats.last) == (0, 0, None, None)


def test_stats_count_events_distinct_accounts_and_time_range(store: EventStore) -> None:
    rows = [
        {"message_id": "a", "account_external_id": "acc-1", "event_time": T0},
        {"message_id": "b", "account_external_id": "acc-2", "event_time": T0 + timedelta(days=3)},
        {"message_id": "c", "account_external_id": "acc-2", "event_time": T0 - timedelta(days=1)},
        {"message_id": "d", "account_external_id": None},
    ]
    assert store.append(batch(*rows)) == 4
    stats = store.stats()
    assert stats.events == 4
    assert stats.accounts == 2  # unattributed events count no account
    assert stats.first == T0 - timedelta(days=1)
    assert stats.last == T0 + timedelta(days=3)
    assert stats.first is not None and stats.first.utcoffset() == timedelta(0)


def test_duplicates_within_a_batch_are_stored_once(store: EventStore) -> None:
    stored = store.append(batch({"message_id": "x"}, {"message_id": "x"}, {"message_id": "y"}))
    assert stored == 2
    assert store.stats().events == 2


def test_duplicates_across_batches_are_skipped(store: EventStore) -> None:
    assert store.append(batch({"message_id": "x"}, {"message_id": "y"})) == 2
    assert store.append(batch({"message_id": "y"}, {"message_id": "z"})) == 1
    assert store.append(batch({"message_id": "x"}, {"message_id": "z"})) == 0
    assert store.stats().events == 3


def test_message_ids_are_unique_per_source_only(store: EventStore) -> None:
    assert store.append(batch({"message_id": "x", "source": "web"})) == 1
    assert store.append(batch({"message_id": "x", "source": "import"})) == 1
    assert store.stats().events == 2


def test_append_without_deduplication_stores_every_row(store: EventStore) -> None:
    rows = [{"message_id": f"id-{i}"} for i in range(1000)]
    assert store.append(batch(*rows), deduplicate=False) == 1000
    assert store.stats().events == 1000


def test_a_failing_batch_stores_nothing(store: EventStore) -> None:
    store.append(batch({"message_id": "kept"}))
    # 20,000 good rows, then one without an event name (NOT NULL): the whole batch fails.
    rows = [{"message_id": f"id-{i}"} for i in range(20_000)] + [{"event": None}]
    with pytest.raises(Exception):  # noqa: B017 - each engine raises its own error type
        store.append(batch(*rows))
    assert store.stats().events == 1
    assert store.append(batch({"message_id": "after"})) == 1  # the store still works


def test_a_failing_batch_without_deduplication_stores_nothing(store: EventStore) -> None:
    rows = [{"message_id": f"id-{i}"} for i in range(5000)] + [{"event": None}]
    with pytest.raises(Exception):  # noqa: B017
        store.append(batch(*rows), deduplicate=False)
    assert store.stats().events == 0


def test_empty_batch_stores_nothing(store: EventStore) -> None:
    assert store.append(batch()) == 0


def test_values_round_trip(store: EventStore, events_url: str) -> None:
    properties = '{"plan": "pro, \\"annual\\"", "seats": 3}'
    store.append(batch({"message_id": "r", "user_id": "", "properties": properties}))
    store.append(batch({"message_id": "s", "user_id": None, "account_external_id": None}))
    rows = _read_back(store)
    assert rows["r"][0] == ""  # empty string stays empty, not null
    assert rows["r"][1] == {"plan": 'pro, "annual"', "seats": 3}
    assert rows["s"] == (None, None, None)


def _read_back(store: EventStore) -> dict[str, tuple[object, object, object]]:
    import json

    sql = "SELECT message_id, user_id, properties::text, account_external_id FROM events"
    if isinstance(store, DuckDBEventStore):
        with store.connect() as connection:
            rows = connection.execute(sql).fetchall()
    else:
        assert isinstance(store, PostgresEventStore)
        rows = store._connect().execute(sql).fetchall()
    return {m: (u, json.loads(p) if p else None, a) for m, u, p, a in rows}


def test_columns_are_cast_and_reordered_to_the_schema(store: EventStore) -> None:
    table = batch({"message_id": "q"})
    reordered = table.select(list(reversed(table.column_names)))
    assert store.append(reordered) == 1


def test_a_batch_missing_columns_is_refused(store: EventStore) -> None:
    with pytest.raises(Invalid, match="lacks columns: event"):
        store.append(batch({"message_id": "q"}).drop_columns(["event"]))


def test_urls_choose_the_backend(tmp_path: Path) -> None:
    assert isinstance(open_event_store(str(tmp_path / "e.duckdb")), DuckDBEventStore)
    for url in (f"duckdb://{tmp_path / 'e.duckdb'}", f"duckdb:///{tmp_path / 'e.duckdb'}"):
        store = open_event_store(url)
        assert isinstance(store, DuckDBEventStore) and store.path == tmp_path / "e.duckdb"
    assert duckdb_path("duckdb://rel/e.duckdb") == Path("rel/e.duckdb")
    # Opening connects to nothing: a server that is not there fails only on use.
    for url in ("postgresql://u@127.0.0.1:1/db", "postgresql+psycopg://u@127.0.0.1:1/db"):
        assert isinstance(open_event_store(url), PostgresEventStore)
    with pytest.raises(Invalid, match="unsupported events URL scheme 'mysql'"):
        open_event_store("mysql://u@h/db")


WRITER = """
import sys
from datetime import datetime, UTC
import pyarrow as pa
from tenure.usage.store import EVENT_SCHEMA, open_event_store
store = open_event_store(sys.argv[1])
now = datetime.now(UTC)
row = dict(message_id="other-process", source="test", event_time=now, received_at=now,
           account_external_id=None, user_id=None, event="e", properties=None)
print(store.append(pa.Table.from_pylist([row], schema=EVENT_SCHEMA)))
store.close()
"""


def test_duckdb_file_is_free_between_operations(tmp_path: Path) -> None:
    """Another process can write while this store is open (connections per operation)."""
    url = f"duckdb:///{tmp_path / 'events.duckdb'}"
    store = open_event_store(url)
    store.append(batch({"message_id": "here"}))
    result = subprocess.run(
        [sys.executable, "-c", WRITER, url], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
    assert store.stats().events == 2
    store.close()


def test_rejection_counts_add_up_per_source_and_reason(events_url: str) -> None:
    store = open_event_store(events_url)
    store.ensure_schema()
    assert store.rejections() == {}
    store.record_rejections({("web", "invalid"): 2, ("web", "no_user"): 1})
    store.record_rejections({("web", "invalid"): 3, ("ios", "invalid"): 4})
    store.close()
    reopened = open_event_store(events_url)  # another process would read the same
    assert reopened.rejections() == {
        ("web", "invalid"): 5, ("web", "no_user"): 1, ("ios", "invalid"): 4
    }
    reopened.close()
