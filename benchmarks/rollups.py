"""Benchmark: incremental usage-rollup refresh against a full rebuild, in one run.

Fills a fresh event store with EVENTS synthetic events (ACCOUNTS accounts, 365 days,
10% unattributed), builds the rollups once, then REPEAT times: appends a fresh batch of
--new events dated over the last day (what arrives between two runs of the 30 s job),
times the incremental refresh (`refresh_rollups()`, what the job does), checks the rollups
against the raw events, then times a full rebuild of the same state
(`refresh_rollups(full=True)`, the baseline). Prints medians and the ratio full/incremental.
DuckDB always; PostgreSQL too when --postgres-url (or TENURE_TEST_POSTGRES_URL) is given.

    .venv/bin/python benchmarks/rollups.py [--events 2000000] [--new 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from tenure.usage.store import EVENT_SCHEMA, EventStore, open_event_store

ACCOUNTS = 500
DAYS = 365
CHUNK = 500_000
END = datetime(2025, 6, 30, tzinfo=UTC)


def synthetic(count: int, seed: int, tag: str, days: int = DAYS) -> pa.Table:
    """`count` events over the last `days` days before END (seeded, unique ids per tag)."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, days * 86_400, count)
    times = pa.array((np.datetime64(END.replace(tzinfo=None)) - seconds.astype("timedelta64[s]"))
                     .astype("datetime64[us]")).cast(pa.timestamp("us", tz="UTC"))
    accounts = rng.integers(0, ACCOUNTS, count)
    account = np.char.add("acc-", accounts.astype(str)).astype(object)
    account[rng.random(count) < 0.1] = None  # unattributed events are kept, not rolled up
    users = np.char.add(np.char.add(accounts.astype(str), "-u"),
                        rng.integers(0, 40, count).astype(str))
    return pa.table({
        "message_id": np.char.add(f"{tag}-", np.arange(count).astype(str)),
        "source": pa.array(["bench"] * count),
        "event_time": times,
        "received_at": pa.array([END] * count, pa.timestamp("us", tz="UTC")),
        "account_external_id": pa.array(account, pa.string()),
        "user_id": users,
        "event": np.char.add("feature_", rng.integers(0, 30, count).astype(str)),
        "properties": pa.nulls(count, pa.string()),
    }).cast(EVENT_SCHEMA)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def consistent(store: EventStore) -> bool:
    """Rollup totals equal the raw attributed events (a cheap whole-store check; the
    property test in tests/usage checks group by group)."""
    totals = "SELECT (SELECT sum(events) FROM usage_daily_accounts), " \
             "(SELECT count(*) FROM events WHERE account_external_id IS NOT NULL)"
    if hasattr(store, "connect"):
        with store.connect() as connection:  # type: ignore[attr-defined]
            rolled, raw = connection.execute(totals).fetchone()
    else:
        import psycopg

        from tenure.usage.postgres_store import conninfo

        with psycopg.connect(conninfo(store.url)) as connection:
            rolled, raw = connection.execute(totals).fetchone()  # type: ignore[misc]
    return int(rolled) == int(raw)


def run(url: str, events: int, new: int, repeat: int) -> tuple[float, list[float], list[float]]:
    store = open_event_store(url)
    store.ensure_schema()
    for offset in range(0, events, CHUNK):
        store.append(synthetic(min(CHUNK, events - offset), offset, f"base{offset}"),
                     deduplicate=False)
    first = timed(lambda: store.refresh_rollups(full=True))
    incremental, full = [], []
    for round_ in range(repeat):
        store.append(synthetic(new, 10_000 + round_, f"new{round_}", days=1))
        incremental.append(timed(store.refresh_rollups))
        if not consistent(store):
            raise SystemExit(f"{url}: rollups disagree with the raw events")
        full.append(timed(lambda: store.refresh_rollups(full=True)))
    store.close()
    return first, incremental, full


def report(name: str, events: int, new: int,
           result: tuple[float, list[float], list[float]]) -> None:
    first, incremental, full = result
    inc, reb = statistics.median(incremental), statistics.median(full)
    print(f"{name}: {events:,} events, {new:,} new events per round, {len(full)} rounds")
    print(f"  first full build {first:.2f} s")
    print(f"  incremental refresh median {inc * 1000:.0f} ms "
          f"({', '.join(f'{t * 1000:.0f}' for t in incremental)} ms)")
    print(f"  full rebuild       median {reb:.2f} s ({', '.join(f'{t:.2f}' for t in full)} s)")
    print(f"  ratio full / incremental: {reb / inc:.0f}x; rollups consistent with raw events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres-url", default=os.environ.get("TENURE_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"load average before the run: {os.getloadavg()[0]:.2f} (2 shared cores)")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{Path(tmp) / 'events.duckdb'}"
        report("DuckDB", args.events, args.new, run(url, args.events, args.new, args.repeat))
    if args.postgres_url:
        with _fresh_database(args.postgres_url) as url:
            report("PostgreSQL", args.events, args.new,
                   run(url, args.events, args.new, args.repeat))


@contextmanager
def _fresh_database(admin_url: str) -> Iterator[str]:
    """A new empty database beside `admin_url`'s, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tenure_bench_rollups_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


if __name__ == "__main__":
    main()
