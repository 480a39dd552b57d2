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

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

from tenure.usage.store import EventStats, conform, register_backend

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
                for statement in CREATE_INDEXES:
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

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
