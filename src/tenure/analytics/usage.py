"""The usage rollups as Ibis tables, read in place in the event store (DuckDB or
PostgreSQL), for metrics, health measures and dashboards.

| table | columns |
|---|---|
| `daily_events` | account_external_id, day (date, UTC), event, events, users (distinct) |
| `daily_accounts` | account_external_id, day, events, active_users (distinct users) |

Distinct users add up across events or days only by recounting raw events; sum `events`
freely, never `users`/`active_users` (take a max, or ask the event store).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from tenure.analytics.engines import operational_backend
from tenure.kit.context import AppContext
from tenure.usage.duckdb_store import duckdb_path
from tenure.usage.store import url_scheme


@dataclass(frozen=True)
class UsageTables:
    backend: BaseBackend
    daily_events: ir.Table
    daily_accounts: ir.Table


def _duckdb(url: str) -> BaseBackend:
    # Same configuration as the event store's own connections, so one process can hold
    # both (DuckDB shares one instance per file); the file is locked while this is open.
    return ibis.duckdb.connect(str(duckdb_path(url)))


# Event store URL scheme -> Ibis backend over that store.
IBIS_BACKENDS: dict[str, Callable[[str], BaseBackend]] = {
    "duckdb": _duckdb,
    "postgresql": operational_backend,
    "postgresql+psycopg": operational_backend,
    "postgres": lambda url: operational_backend("postgresql" + url[len("postgres") :]),
}


@contextmanager
def usage_tables(context: AppContext) -> Iterator[UsageTables]:
    """The rollup tables of the context's event store; the connection closes after use.
    Keep the block short on DuckDB: other processes wait for the file meanwhile."""
    context.events.ensure_schema()  # the rollup tables exist even before the first run
    url = context.settings.resolved_events_url
    backend = IBIS_BACKENDS[url_scheme(url)](url)
    try:
        yield UsageTables(
            backend=backend,
            daily_events=backend.table("usage_daily_events"),
            daily_accounts=backend.table("usage_daily_accounts"),
        )
    finally:
        backend.disconnect()


def daily_active_users(tables: UsageTables, start: date, end: date) -> ir.Table:
    """Per account and day from `start` to `end` (inclusive): events and active users."""
    t = tables.daily_accounts
    return t.filter((t.day >= start) & (t.day <= end)).select(
        "account_external_id", "day", "events", "active_users"
    )


def event_totals(tables: UsageTables, start: date, end: date) -> ir.Table:
    """Per account and event over the days: `events` summed, `peak_daily_users` the most
    distinct users on any one day (not distinct over the period)."""
    t = tables.daily_events
    window = t.filter((t.day >= start) & (t.day <= end))
    return window.group_by("account_external_id", "event").aggregate(
        events=window.events.sum(), peak_daily_users=window.users.max()
    )
