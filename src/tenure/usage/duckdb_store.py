"""DuckDB event store: the embedded default, one file in TENURE_HOME.

Locking: DuckDB lets one process at a time open a file for writing. This store opens a
connection per operation and closes it straight after, so the file lock is held only while
an append or a query runs; `tenure serve` and a `tenure import` in another process take
turns instead of one locking the other out for its whole life. An operation that finds the
file locked by another process retries for up to LOCK_WAIT_SECONDS, then fails with a
503-style `Unavailable`. Inside one process DuckDB shares one database instance per file,
so other code (Ibis analytics) may open the same path alongside.

Deduplication is an anti-join of the batch against the stored (source, message_id) pairs,
not a PRIMARY KEY. Measured on this 2-core machine (DuckDB 2.0, 5M stored rows):
filling 5M rows took 4.8 s with the anti-join vs 13.7 s with a PK (ART index); appending
1M rows (half new) 0.44 s vs 1.25 s; appending 10 or 1,000 rows ~0.06 s either way; the
file was 154 MB vs 695 MB. A full column scan per append is cheaper than maintaining the
ART, and zone maps make the scan of two string columns fast.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tenure.errors import Unavailable
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

LOCK_WAIT_SECONDS = 30.0

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS events (
    message_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    event_time TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    account_external_id VARCHAR,
    user_id VARCHAR,
    event VARCHAR NOT NULL,
    properties JSON
)
"""

COLUMNS = (
    "message_id, source, event_time, received_at, account_external_id, user_id, event, "
    "properties"
)

# One copy per (source, message_id) in the batch, none already stored.
INSERT_NEW = f"""
INSERT INTO events ({COLUMNS})
SELECT {COLUMNS} FROM (
    SELECT DISTINCT ON (source, message_id) * FROM batch
) AS fresh
WHERE NOT EXISTS (
    SELECT 1 FROM events AS stored
    WHERE stored.source = fresh.source AND stored.message_id = fresh.message_id
)
"""

INSERT_ALL = f"INSERT INTO events ({COLUMNS}) SELECT {COLUMNS} FROM batch"

DIALECT = rollups.Dialect(
    param="?",
    day_of="CAST(e.event_time AS DATE)",  # the session's TimeZone is UTC (see `connect`)
    match="CAST(e.event_time AS DATE) = t.day",
    create_touched="CREATE OR REPLACE TEMP TABLE usage_touched (account_external_id VARCHAR, day DATE)",
    # One transaction sees one snapshot: the DELETE removes exactly the pairs copied.
    take_pending=(
        "INSERT INTO usage_touched SELECT DISTINCT account_external_id, day "
        "FROM usage_rollup_pending",
        "DELETE FROM usage_rollup_pending",
    ),
)

# Rollup refreshes of one file, one at a time in this process (other processes cannot
# open the file meanwhile).
_REFRESH_LOCKS: dict[Path, threading.Lock] = {}
_REFRESH_LOCKS_GUARD = threading.Lock()

STATS = """
SELECT count(*), count(DISTINCT account_external_id), min(event_time), max(event_time)
FROM events
"""


def duckdb_path(url: str) -> Path:
    """`duckdb:///ABS/PATH` (three or four slashes), `duckdb://REL/PATH` or a bare path.

    Settings builds `duckdb:///` + an absolute path, i.e. four slashes; both spellings
    name the same absolute file."""
    _scheme, sep, rest = url.partition("://")
    if not sep:
        return Path(url)
    return Path("/" + rest.lstrip("/")) if rest.startswith("/") else Path(rest)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


@register_backend("duckdb")
class DuckDBEventStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = duckdb_path(url)
        self._schema_ready = False

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the file, held only for the block (see the module's note)."""
        connection = self._open()
        try:
            connection.execute("SET TimeZone = 'UTC'")
            if not self._schema_ready:
                connection.execute(CREATE_TABLE)
                for statement in (*rollups.TABLES, REJECTIONS_TABLE):
                    connection.execute(statement)
                self._schema_ready = True
            yield connection
        finally:
            connection.close()

    def _open(self) -> duckdb.DuckDBPyConnection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as error:
                if not _is_lock_conflict(error) or time.monotonic() > deadline:
                    raise Unavailable(f"event store {self.path} is busy: {error}") from error
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def ensure_schema(self) -> None:
        self._schema_ready = False
        with self.connect():
            pass

    def append(self, events: pa.Table, *, deduplicate: bool = True) -> int:
        batch = conform(events)
        if batch.num_rows == 0:
            return 0
        with self.connect() as connection:
            connection.register("batch", batch)
            connection.execute("BEGIN TRANSACTION")
            try:
                # fetchall: DuckDB 2 refuses the next statement while a result is open.
                (row,) = connection.execute(INSERT_NEW if deduplicate else INSERT_ALL).fetchall()
                _mark_pending(connection, batch)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            finally:
                connection.unregister("batch")
        return int(row[0])

    def stats(self) -> EventStats:
        with self.connect() as connection:
            ((events, accounts, first, last),) = connection.execute(STATS).fetchall()
        return EventStats(events=events, accounts=accounts, first=first, last=last)

    def record_rejections(self, counts: Mapping[tuple[str, str], int]) -> None:
        now = datetime.now(UTC)
        rows = [(source, reason, count, now) for (source, reason), count in counts.items()]
        with self.connect() as connection:
            connection.executemany(rejections_upsert("?"), rows)

    def rejections(self) -> dict[tuple[str, str], int]:
        with self.connect() as connection:
            rows = connection.execute(REJECTIONS_SELECT).fetchall()
        return {(source, reason): int(count) for source, reason, count in rows}

    def refresh_rollups(self, *, full: bool = False) -> RollupReport:
        with _refresh_lock(self.path), self.connect() as connection:
            connection.execute("BEGIN TRANSACTION")
            try:
                report = rollups.refresh(_runner(connection), DIALECT, full=full)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return report

    def daily_usage(self, account: str, start: date, end: date) -> list[DailyUsage]:
        with self.connect() as connection:
            return rollups.daily_usage(_runner(connection), "?", account, start, end)

    def top_events(self, account: str, start: date, end: date, limit: int) -> list[EventUsage]:
        with self.connect() as connection:
            return rollups.top_events(_runner(connection), "?", account, start, end, limit)

    def activity(self, account: str, end: date, windows: tuple[int, ...]) -> AccountActivity:
        with self.connect() as connection:
            return rollups.activity(_runner(connection), "?", account, end, windows)

    def close(self) -> None:
        # Connections live only for one operation, so the file is already released.
        return None


def _mark_pending(connection: duckdb.DuckDBPyConnection, batch: pa.Table) -> None:
    """Log the batch's (account, day) pairs for the rollups, in the append's transaction."""
    connection.register("touched_batch", touched_days(batch))
    try:
        connection.execute(
            f"INSERT INTO usage_rollup_pending ({rollups.PENDING_COLUMNS}) "
            f"SELECT {rollups.PENDING_COLUMNS} FROM touched_batch"
        ).fetchall()
    finally:
        connection.unregister("touched_batch")


def _runner(connection: duckdb.DuckDBPyConnection) -> rollups.Runner:
    def run(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return connection.execute(sql, params or None).fetchall()

    return run


@contextmanager
def _refresh_lock(path: Path) -> Iterator[None]:
    with _REFRESH_LOCKS_GUARD:
        lock = _REFRESH_LOCKS.setdefault(path.resolve(), threading.Lock())
    with lock:
        yield
