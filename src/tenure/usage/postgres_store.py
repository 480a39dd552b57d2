"""PostgreSQL event store (production): psycopg 3 directly, COPY for every bulk write.

Deduplication: a unique index on (source, message_id); a batch is COPY-loaded into a
temporary table and moved with INSERT ... SELECT ... ON CONFLICT DO NOTHING, which also
skips pairs repeated inside the batch. Without deduplication the batch is COPY-ed straight
into `events` (the unique index still rejects a repeated pair, failing the whole batch).
The batch travels as CSV written by Arrow's C++ writer: no Python loop per row.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

from tenure.usage import rollups
from tenure.usage.store import (
    AccountActivity,
    DailyUsage,
    EventStats,
    EventUsage,
    REJECTIONS_SELECT,
    REJECTIONS_TABLE,
    RollupReport,
    conform,
    register_backend,
    rejections_upsert,
    touched_days,
)

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS events (
    message_id text NOT NULL,
    source text NOT NULL,
    event_time timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    account_external_id text,
    user_id text,
    event text NOT NULL,
    properties jsonb
)
"""

CREATE_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS events_source_message_id ON events (source, message_id)",
    # Usage rollups read one account's events over a period.
    "CREATE INDEX IF NOT EXISTS events_account_time ON events (account_external_id, event_time)",
)

ROLLUP_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS usage_daily_events_key "
    "ON usage_daily_events (account_external_id, day, event)",
    "CREATE UNIQUE INDEX IF NOT EXISTS usage_daily_accounts_key "
    "ON usage_daily_accounts (account_external_id, day)",
)

DIALECT = rollups.Dialect(
    param="%s",
    day_of="(e.event_time AT TIME ZONE 'UTC')::date",
    # A range on event_time, so the (account_external_id, event_time) index serves the join.
    match="e.event_time >= (t.day::timestamp AT TIME ZONE 'UTC') "
    "AND e.event_time < ((t.day + 1)::timestamp AT TIME ZONE 'UTC')",
    create_touched="CREATE TEMPORARY TABLE usage_touched "
    "(account_external_id text, day date) ON COMMIT DROP",
    # One statement: the pairs deleted are exactly the pairs copied (READ COMMITTED
    # would give two statements two snapshots).
    take_pending=(
        "WITH taken AS (DELETE FROM usage_rollup_pending RETURNING account_external_id, day) "
        "INSERT INTO usage_touched SELECT DISTINCT account_external_id, day FROM taken",
        "ANALYZE usage_touched",
    ),
    # Two refreshes at once could let the older snapshot write last; take turns.
    lock="SELECT pg_advisory_xact_lock(72025041001)",
)

COLUMNS = (
    "message_id, source, event_time, received_at, account_external_id, user_id, event, "
    "properties"
)

STATS = """
SELECT count(*), count(DISTINCT account_external_id), min(event_time), max(event_time)
FROM events
"""

# Rows of CSV text sent to COPY per write call; bounds memory on big batches.
COPY_CHUNK_ROWS = 100_000


def conninfo(url: str) -> str:
    """psycopg accepts libpq URLs; drop SQLAlchemy's `+psycopg` driver suffix."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


def _csv_chunks(batch: pa.Table) -> list[bytes]:
    # Nulls are written unquoted-empty and strings quoted, which PostgreSQL's CSV format
    # reads back as NULL and as the (possibly empty) string.
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    chunks = []
    for offset in range(0, batch.num_rows, COPY_CHUNK_ROWS):
        sink = io.BytesIO()
        pa_csv.write_csv(batch.slice(offset, COPY_CHUNK_ROWS), sink, write_options=options)
        chunks.append(sink.getvalue())
    return chunks


def _copy(cursor: psycopg.Cursor, table: str, batch: pa.Table) -> None:
    with cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN WITH (FORMAT csv)") as copy:
        for chunk in _csv_chunks(batch):
            copy.write(chunk)


@register_backend("postgresql", "postgresql+psycopg", "postgres")
class PostgresEventStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._conninfo = conninfo(url)
        self._connection: psycopg.Connection | None = None
        self._schema_ready = False
        # One connection per store; the lock keeps threads (web workers) off it together.
        self._lock = threading.Lock()

    def _connect(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self._conninfo, autocommit=True)
        if not self._schema_ready:
            with self._connection.transaction():
                self._connection.execute(CREATE_TABLE)
                for statement in (
                    *CREATE_INDEXES, *rollups.TABLES, *ROLLUP_INDEXES, REJECTIONS_TABLE
                ):
                    self._connection.execute(statement)
            self._schema_ready = True
        return self._connection

    def ensure_schema(self) -> None:
        with self._lock:
            self._schema_ready = False
            self._connect()

    def append(self, events: pa.Table, *, deduplicate: bool = True) -> int:
        batch = conform(events)
        if batch.num_rows == 0:
            return 0
        with self._lock:
            connection = self._connect()
            with connection.transaction(), connection.cursor() as cursor:
                _mark_pending(cursor, batch)
                if not deduplicate:
                    _copy(cursor, "events", batch)
                    return batch.num_rows
                cursor.execute(
                    "CREATE TEMPORARY TABLE event_batch (LIKE events) ON COMMIT DROP"
                )
                _copy(cursor, "event_batch", batch)
                cursor.execute(
                    f"INSERT INTO events ({COLUMNS}) SELECT {COLUMNS} FROM event_batch "
                    "ON CONFLICT (source, message_id) DO NOTHING"
                )
                return cursor.rowcount

    def stats(self) -> EventStats:
        with self._lock:
            row = self._connect().execute(STATS).fetchone()
        events, accounts, first, last = row  # type: ignore[misc]
        return EventStats(events=events, accounts=accounts, first=first, last=last)

    def record_rejections(self, counts: Mapping[tuple[str, str], int]) -> None:
        now = datetime.now(UTC)
        rows = [(source, reason, count, now) for (source, reason), count in sorted(counts.items())]
        with self._lock:
            connection = self._connect()
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(rejections_upsert("%s"), rows)

    def rejections(self) -> dict[tuple[str, str], int]:
        with self._lock:
            rows = self._connect().execute(REJECTIONS_SELECT).fetchall()
        return {(source, reason): int(count) for source, reason, count in rows}

    def refresh_rollups(self, *, full: bool = False) -> RollupReport:
        self.ensure_schema_once()
        # Its own short-lived connection: a long rebuild must not hold up appends on the
        # shared one.
        with psycopg.connect(self._conninfo) as connection:
            with connection.transaction(), connection.cursor() as cursor:
                return rollups.refresh(_runner(cursor), DIALECT, full=full)

    def daily_usage(self, account: str, start: date, end: date) -> list[DailyUsage]:
        with self._lock, self._connect().cursor() as cursor:
            return rollups.daily_usage(_runner(cursor), "%s", account, start, end)

    def top_events(self, account: str, start: date, end: date, limit: int) -> list[EventUsage]:
        with self._lock, self._connect().cursor() as cursor:
            return rollups.top_events(_runner(cursor), "%s", account, start, end, limit)

    def activity(self, account: str, end: date, windows: tuple[int, ...]) -> AccountActivity:
        with self._lock, self._connect().cursor() as cursor:
            return rollups.activity(_runner(cursor), "%s", account, end, windows)

    def ensure_schema_once(self) -> None:
        with self._lock:
            self._connect()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _mark_pending(cursor: psycopg.Cursor, batch: pa.Table) -> None:
    """Log the batch's (account, day) pairs for the rollups, in the append's transaction."""
    keys = touched_days(batch)
    sql = f"COPY usage_rollup_pending ({rollups.PENDING_COLUMNS}) FROM STDIN WITH (FORMAT csv)"
    with cursor.copy(sql) as copy:
        for chunk in _csv_chunks(keys):
            copy.write(chunk)


def _runner(cursor: psycopg.Cursor) -> rollups.Runner:
    def run(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cursor.execute(sql, params or None)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []

    return run
