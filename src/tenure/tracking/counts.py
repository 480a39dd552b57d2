"""Events per source in the event store (stored, unattributed), one query per engine.

The usage domain's `EventStore` protocol has no per-source totals yet; until it does, this
registry reads them with each engine's own connection (DuckDB: the store's per-operation
connection; PostgreSQL: a short psycopg connection). Read-only.
"""

from __future__ import annotations

from collections.abc import Callable

from tenure.usage.store import EventStore

COUNTS_SQL = """
SELECT source, count(*), count(*) FILTER (WHERE account_external_id IS NULL)
FROM events GROUP BY source
"""

Counts = dict[str, tuple[int, int]]
COUNTERS: dict[str, Callable[[EventStore], Counts]] = {}


def _counter(name: str) -> Callable[[Callable[[EventStore], Counts]], Callable[[EventStore], Counts]]:
    def register(function: Callable[[EventStore], Counts]) -> Callable[[EventStore], Counts]:
        COUNTERS[name] = function
        return function

    return register


@_counter("DuckDBEventStore")
def _duckdb(store: EventStore) -> Counts:
    with store.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(COUNTS_SQL).fetchall()
    return {source: (int(events), int(nulls)) for source, events, nulls in rows}


@_counter("PostgresEventStore")
def _postgres(store: EventStore) -> Counts:
    import psycopg

    from tenure.usage.postgres_store import conninfo

    store.ensure_schema()
    with psycopg.connect(conninfo(store.url)) as connection:
        rows = connection.execute(COUNTS_SQL).fetchall()
    return {source: (int(events), int(nulls)) for source, events, nulls in rows}


def events_by_source(store: EventStore) -> Counts:
    """source name -> (events stored, events without an account)."""
    counter = COUNTERS.get(type(store).__name__)
    return counter(store) if counter else {}
