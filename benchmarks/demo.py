"""Benchmark: `tenure demo`, two measurements side by side in each run.

1. generation  the whole `generate_demo` (plan, operational rows into SQLite, usage events
               into DuckDB) into a fresh TENURE_HOME, committed; its baseline is
               `DuckDBEventStore.append(deduplicate=False)` of as many synthetic events,
               the floor for storing the events alone.
2. operational rows  writing the same in-memory plan's operational rows into a fresh,
               migrated database: the demo's writer (`tenure.kit.bulk.append_columns`:
               raw DBAPI executemany on SQLite, COPY on PostgreSQL) against the previous
               path (rows as dicts of Python objects through SQLAlchemy Core executemany).
               Both include building their rows from the plan, and both commit.

Prints each run and the medians with ratios.

    .venv/bin/python benchmarks/demo.py [--accounts N] [--runs R] [--rows-only]
        [--database-url URL]   # operational rows into this (empty) database instead
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
from sqlalchemy import MetaData, create_engine

from tenure.config import Settings
from tenure.demo import service
from tenure.demo.plan import DemoPlan, build_plan
from tenure.demo.profile import DEFAULT_PROFILE, DemoOptions
from tenure.kit import bulk, migrate
from tenure.kit.context import AppContext
from tenure.kit.db import make_engine, make_session_factory, unit_of_work
from tenure.usage.duckdb_store import DuckDBEventStore

AS_OF = date(2026, 6, 30)


def time_demo(home: Path, accounts: int) -> tuple[float, int]:
    context = AppContext(Settings(home=home))
    try:
        migrate.upgrade(context.engine)
        context.events.ensure_schema()
        started = time.perf_counter()
        with unit_of_work(context.sessions) as session:
            options = DemoOptions(accounts=accounts, seed=42, as_of=AS_OF)
            summary = service.generate_demo(session, context.events, options,
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


class _CorePath:
    """The previous writer: each table's columns turned into dicts of Python objects
    (datetimes, dates) and inserted with SQLAlchemy Core executemany."""

    def __init__(self, session, progress, batch_rows: int) -> None:  # type: ignore[no-untyped-def]
        self.session, self.batch = session, batch_rows

    def insert(self, model: type, columns: dict[str, object]) -> None:
        names = list(columns)
        values = [_objects(columns[name]) for name in names]
        records = [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
        bulk.insert_rows(self.session, model, records, self.batch)


def _objects(values: object) -> list[object]:
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "M":
            return [None if v is None else v.replace(tzinfo=UTC) if isinstance(v, datetime)
                    else v for v in values.astype(object).tolist()]
        return values.tolist()
    return list(values)  # type: ignore[call-overload]


def time_rows(url: str, plan: DemoPlan, core: bool) -> float:
    engine = make_engine(url)
    try:
        _empty(engine)
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        writer = service._Writer
        if core:
            service._Writer = _CorePath  # type: ignore[assignment, misc]
        try:
            started = time.perf_counter()
            with unit_of_work(sessions) as session:
                service.write_operational(session, plan, service.NoProgress(), 50_000)
            return time.perf_counter() - started
        finally:
            service._Writer = writer  # type: ignore[misc]
    finally:
        engine.dispose()


def _empty(engine) -> None:  # type: ignore[no-untyped-def]
    """Drop every table of a server database (SQLite files are fresh anyway)."""
    if engine.dialect.name == "sqlite":
        return
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows-only", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if not args.rows_only:
        bench_generation(args.accounts, args.runs)
    bench_rows(args.accounts, args.runs, args.database_url)


def bench_generation(accounts: int, runs: int) -> None:
    demo_times, base_times = [], []
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            seconds, events = time_demo(Path(folder) / "home", accounts)
            baseline = time_baseline(Path(folder) / "floor.duckdb", synthetic_events(events))
        demo_times.append(seconds)
        base_times.append(baseline)
        print(f"run {run}: demo {seconds:6.2f} s ({events:,} events)   "
              f"baseline {baseline:5.2f} s   ratio {seconds / baseline:4.1f}")
    demo, base = statistics.median(demo_times), statistics.median(base_times)
    print(f"median: demo {demo:.2f} s, baseline {base:.2f} s, ratio {demo / base:.1f}")


def bench_rows(accounts: int, runs: int, url: str | None) -> None:
    started = time.perf_counter()
    plan = build_plan(DEFAULT_PROFILE, DemoOptions(accounts=accounts, seed=42, as_of=AS_OF))
    total = service._operational_rows(plan)
    print(f"plan of {accounts:,} accounts built in {time.perf_counter() - started:.1f} s: "
          f"{total:,} operational rows")
    fast, core = [], []
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            target = url or f"sqlite:///{Path(folder) / 'fast.db'}"
            fast.append(time_rows(target, plan, core=False))
            target = url or f"sqlite:///{Path(folder) / 'core.db'}"
            core.append(time_rows(target, plan, core=True))
        print(f"run {run}: bulk writer {fast[-1]:6.2f} s ({total / fast[-1]:,.0f} rows/s)   "
              f"Core executemany {core[-1]:6.2f} s   speed-up {core[-1] / fast[-1]:4.1f}x")
    f, c = statistics.median(fast), statistics.median(core)
    print(f"median: bulk writer {f:.2f} s, Core executemany {c:.2f} s, speed-up {c / f:.1f}x")


if __name__ == "__main__":
    main()
