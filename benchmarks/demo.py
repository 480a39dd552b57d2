"""Benchmark: `tenure demo` (default 500 accounts) against the event store's raw bulk write.

The demo's goal is "usage events in the millions, generated in about a minute or less".
Each run times, side by side:
  demo      the whole generation (plan, operational rows into SQLite, usage events into
            DuckDB) through `generate_demo`, into a fresh TENURE_HOME, committed;
  baseline  `DuckDBEventStore.append(deduplicate=False)` of an Arrow table with as many
            events as the demo stored, into a fresh file: the floor for storing them alone.
Prints each run and the medians, and the ratio demo/baseline.

    .venv/bin/python benchmarks/demo.py [--accounts N] [--runs R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from tenure.config import Settings
from tenure.demo.profile import DemoOptions
from tenure.demo.service import generate_demo
from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.usage.duckdb_store import DuckDBEventStore


def time_demo(home: Path, accounts: int) -> tuple[float, int]:
    context = AppContext(Settings(home=home))
    try:
        migrate.upgrade(context.engine)
        context.events.ensure_schema()
        started = time.perf_counter()
        with unit_of_work(context.sessions) as session:
            options = DemoOptions(accounts=accounts, seed=42, as_of=date(2026, 6, 30))
            summary = generate_demo(session, context.events, options,
                                    batch_rows=context.settings.import_batch_rows)
        return time.perf_counter() - started, summary.events
    finally:
        context.close()


def synthetic_events(rows: int) -> pa.Table:
    start = int(datetime(2023, 7, 1, tzinfo=UTC).timestamp() * 1_000_000)
    rng = np.random.default_rng(0)
    times = np.sort(rng.integers(start, start + 3 * 365 * 86_400_000_000, rows))
    account = pa.array(rng.integers(0, 500, rows)).cast(pa.string())
    return pa.table({
        "message_id": pa.array(np.arange(rows)).cast(pa.string()),
        "source": pa.array(["demo"] * rows),
        "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
        "received_at": pa.array(times, pa.timestamp("us", tz="UTC")),
        "account_external_id": account,
        "user_id": account,
        "event": pa.array(["login"] * rows),
        "properties": pa.nulls(rows, pa.string()),
    })


def time_baseline(path: Path, table: pa.Table) -> float:
    store = DuckDBEventStore(f"duckdb:///{path}")
    store.ensure_schema()
    started = time.perf_counter()
    store.append(table, deduplicate=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    demo_times, base_times = [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            seconds, events = time_demo(Path(folder) / "home", args.accounts)
            baseline = time_baseline(Path(folder) / "floor.duckdb", synthetic_events(events))
        demo_times.append(seconds)
        base_times.append(baseline)
        print(f"run {run}: demo {seconds:6.2f} s ({events:,} events)   "
              f"baseline {baseline:5.2f} s   ratio {seconds / baseline:4.1f}")
    demo, base = statistics.median(demo_times), statistics.median(base_times)
    print(f"median: demo {demo:.2f} s, baseline {base:.2f} s, ratio {demo / base:.1f}")


if __name__ == "__main__":
    main()
