"""Daily usage rollups, kept beside `events` in the event store (both engines).

Tables (docs/usage.md):

- `usage_daily_events`: per account, UTC day of `event_time` and event name: `events`
  (count) and `users` (distinct `user_id`).
- `usage_daily_accounts`: per account and day: `events` and `active_users` (distinct
  `user_id` over all that day's events).
- `usage_rollup_pending`: the change log. Every append writes the (account, day) pairs
  of its batch here IN THE SAME TRANSACTION as the events (see `touched_days`).
- `usage_rollup_state`: one row; when the last full rebuild and last refresh ran.

Why a change log and not a watermark: a refresh must find every event committed since
the previous refresh. A high-water mark of `received_at` misses events whose writer
stamped them before a newer batch committed (a long import stamps its rows when it
starts; two writers share a timestamp; clocks differ between machines), and a
sequence column misses rows of a transaction that drew its numbers before another one
committed higher numbers (sequences are handed out at insert, not at commit). A change
log written atomically with the events has no such gap: a refresh takes exactly the
pending pairs it can see (a committed append's pairs are all visible, an uncommitted
one's none) and recomputes those groups from the events it can see, which include every
event of every pair it took. Pairs committed meanwhile stay pending for the next run, so
a refresh never loses work; recomputing a pair twice is harmless.

Groups are recomputed from raw events, never incremented: distinct users of a day
cannot be summed from partial counts, and late events (old `event_time`) simply make an
old day's pair pending again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time as clock, timedelta
from typing import Any

from tenure.usage.store import AccountActivity, DailyUsage, EventUsage, RollupReport

# Runs one statement and returns its rows ([] for statements without a result).
Runner = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]

TABLES = (
    """CREATE TABLE IF NOT EXISTS usage_daily_events (
        account_external_id VARCHAR NOT NULL, day DATE NOT NULL, event VARCHAR NOT NULL,
        events BIGINT NOT NULL, users BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS usage_daily_accounts (
        account_external_id VARCHAR NOT NULL, day DATE NOT NULL,
        events BIGINT NOT NULL, active_users BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS usage_rollup_pending (
        account_external_id VARCHAR NOT NULL, day DATE NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS usage_rollup_state (
        singleton INTEGER PRIMARY KEY, rebuilt_at TIMESTAMPTZ, refreshed_at TIMESTAMPTZ)""",
)

PENDING_COLUMNS = "account_external_id, day"


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines: parameters, the touched-pairs temp table and
    how pending pairs are taken atomically."""

    param: str  # placeholder: "?" (DuckDB) or "%s" (psycopg)
    day_of: str  # SQL for the UTC day of `e.event_time`
    match: str  # joins `events AS e` to the touched pairs `t`
    create_touched: str
    take_pending: tuple[str, ...]  # move every visible pending pair into usage_touched
    lock: str | None = None  # serialises refreshes across processes


UPSERT_STATE = """
INSERT INTO usage_rollup_state (singleton, rebuilt_at, refreshed_at)
VALUES (1, {rebuilt}, now())
ON CONFLICT (singleton) DO UPDATE SET rebuilt_at = {rebuilt_update}, refreshed_at = now()
"""

DELETE_TOUCHED = """
DELETE FROM {table} AS r USING usage_touched AS t
WHERE r.account_external_id = t.account_external_id AND r.day = t.day
"""

FROM_TOUCHED_EVENTS = """
FROM events AS e JOIN usage_touched AS t
  ON e.account_external_id = t.account_external_id AND {match}
WHERE e.event_time >= {p}
"""

FROM_ALL_EVENTS = "FROM events AS e WHERE e.account_external_id IS NOT NULL"

INSERT_DAILY_EVENTS = """
INSERT INTO usage_daily_events (account_external_id, day, event, events, users)
SELECT e.account_external_id, {day_of}, e.event, count(*), count(DISTINCT e.user_id)
{source} GROUP BY 1, 2, 3
"""

INSERT_DAILY_ACCOUNTS = """
INSERT INTO usage_daily_accounts (account_external_id, day, events, active_users)
SELECT e.account_external_id, {day_of}, count(*), count(DISTINCT e.user_id)
{source} GROUP BY 1, 2
"""


def refresh(run: Runner, dialect: Dialect, *, full: bool) -> RollupReport:
    """One refresh inside the caller's transaction (see the module's note)."""
    started = time.perf_counter()
    if dialect.lock:
        run(dialect.lock, ())
    state = run("SELECT rebuilt_at FROM usage_rollup_state", ())
    full = full or not state or state[0][0] is None
    if not full and not run("SELECT 1 FROM usage_rollup_pending LIMIT 1", ()):
        _mark_refreshed(run, full=False)
        return RollupReport(full=False, account_days=0, seconds=time.perf_counter() - started)
    run(dialect.create_touched, ())
    for statement in dialect.take_pending:
        run(statement, ())
    if full:
        groups = _rebuild(run, dialect)
    else:
        groups = _recompute_touched(run, dialect)
    _mark_refreshed(run, full=full)
    return RollupReport(full=full, account_days=groups, seconds=time.perf_counter() - started)


def _rebuild(run: Runner, dialect: Dialect) -> int:
    run("DELETE FROM usage_daily_events", ())
    run("DELETE FROM usage_daily_accounts", ())
    day_of = dialect.day_of
    run(INSERT_DAILY_EVENTS.format(day_of=day_of, source=FROM_ALL_EVENTS), ())
    run(INSERT_DAILY_ACCOUNTS.format(day_of=day_of, source=FROM_ALL_EVENTS), ())
    return int(run("SELECT count(*) FROM usage_daily_accounts", ())[0][0])


def _recompute_touched(run: Runner, dialect: Dialect) -> int:
    ((first_day, groups),) = run("SELECT min(day), count(*) FROM usage_touched", ())
    for table in ("usage_daily_events", "usage_daily_accounts"):
        run(DELETE_TOUCHED.format(table=table), ())
    # The lower bound lets the engines skip old row groups / index ranges.
    source = FROM_TOUCHED_EVENTS.format(match=dialect.match, p=dialect.param)
    lower = (day_start(first_day),)
    run(INSERT_DAILY_EVENTS.format(day_of=dialect.day_of, source=source), lower)
    run(INSERT_DAILY_ACCOUNTS.format(day_of=dialect.day_of, source=source), lower)
    return int(groups)


def _mark_refreshed(run: Runner, *, full: bool) -> None:
    rebuilt = "now()" if full else "NULL"
    rebuilt_update = "now()" if full else "usage_rollup_state.rebuilt_at"
    run(UPSERT_STATE.format(rebuilt=rebuilt, rebuilt_update=rebuilt_update), ())


def day_start(day: date) -> datetime:
    return datetime.combine(day, clock(0), tzinfo=UTC)


DAILY = """
SELECT day, events, active_users FROM usage_daily_accounts
WHERE account_external_id = {p} AND day >= {p} AND day <= {p} ORDER BY day
"""

TOP_EVENTS = """
SELECT event, count(*) AS n, count(DISTINCT user_id) FROM events
WHERE account_external_id = {p} AND event_time >= {p} AND event_time < {p}
GROUP BY event ORDER BY n DESC, event LIMIT {limit}
"""

LAST_SEEN = "SELECT max(event_time) FROM events WHERE account_external_id = {p}"


def daily_usage(run: Runner, p: str, account: str, start: date, end: date) -> list[DailyUsage]:
    rows = run(DAILY.format(p=p), (account, start, end))
    return [DailyUsage(day=d, events=int(n), active_users=int(u)) for d, n, u in rows]


def top_events(
    run: Runner, p: str, account: str, start: date, end: date, limit: int
) -> list[EventUsage]:
    bounds = (day_start(start), day_start(end + timedelta(days=1)))
    rows = run(TOP_EVENTS.format(p=p, limit=int(limit)), (account, *bounds))
    return [EventUsage(name=e, count=int(n), distinct_users=int(u)) for e, n, u in rows]


def activity(
    run: Runner, p: str, account: str, end: date, windows: tuple[int, ...]
) -> AccountActivity:
    stop = day_start(end + timedelta(days=1))
    starts = [day_start(end - timedelta(days=w - 1)) for w in windows]
    counts = ", ".join(
        f"count(DISTINCT CASE WHEN event_time >= {p} THEN user_id END)" for _ in windows
    )
    sql = (
        f"SELECT {counts} FROM events WHERE account_external_id = {p} "
        f"AND event_time >= {p} AND event_time < {p}"
    )
    (row,) = run(sql, (*starts, account, min(starts, default=stop), stop)) if windows else [()]
    ((last_seen,),) = run(LAST_SEEN.format(p=p), (account,))
    state = run("SELECT refreshed_at FROM usage_rollup_state", ())
    return AccountActivity(
        active_users={w: int(n) for w, n in zip(windows, row, strict=True)},
        last_seen=last_seen,
        rollups_refreshed_at=state[0][0] if state else None,
    )
