"""Benchmark: `tenure import events` of a 1,000,000-row CSV against DuckDB's own bulk load.

Generates the CSV (5,000 accounts, a third of rows without message_id, JSON properties),
then in one run times:
  baseline  DuckDB `CREATE TABLE AS SELECT * FROM read_csv(...)` into a bare table in a
            fresh file: the physical floor of storing the file (no validation, no dedup);
  import    the real events import kind (validation + dedup + store) into a fresh DuckDB
            event store, and the same file imported again (everything is a duplicate);
  postgres  the same import into PostgreSQL when TENURE_TEST_POSTGRES_URL is set.
Prints each time and the ratio import/baseline.

    .venv/bin/python benchmarks/import_events.py [--rows N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import psycopg

from tenure.config import Settings
from tenure.imports.base import ImportReport, ImportRequest
from tenure.imports.kinds.events import EventsKind
from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.accounts import Account
from tenure.usage.postgres_store import conninfo

ACCOUNTS = 5_000


def generate_csv(path: Path, rows: int) -> None:
    duckdb.sql(
        f"""
        COPY (
            SELECT
                strftime(TIMESTAMP '2025-01-01' + to_seconds(i * 7 % 31536000),
                         '%Y-%m-%dT%H:%M:%SZ') AS timestamp,
                'feature_' || (i % 25) AS event,
                'acc-' || (i % {ACCOUNTS}) AS account_external_id,
                CASE WHEN i % 3 = 0 THEN NULL ELSE 'msg-' || i END AS message_id,
                'user-' || (i % 60000) AS user_id,
                '{{"plan": "pro", "seconds": ' || (i % 600) || '}}' AS properties
            FROM range({rows}) AS t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def baseline(csv: Path, work: Path) -> float:
    connection = duckdb.connect(str(work / "baseline.duckdb"))
    try:
        seconds, _ = timed(
            lambda: connection.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{csv}')")
        )
    finally:
        connection.close()
    return seconds


def make_context(work: Path, events_url: str) -> AppContext:
    settings = Settings(home=work / "home", events_url=events_url)
    context = AppContext(settings)
    migrate.upgrade(context.engine)
    with unit_of_work(context.sessions) as session:
        if session.query(Account).count() == 0:
            session.add_all(
                Account(external_id=f"acc-{i}", name=f"Account {i}") for i in range(ACCOUNTS)
            )
    context.events.ensure_schema()
    return context


def run_import(context: AppContext, csv: Path) -> tuple[float, ImportReport]:
    with unit_of_work(context.sessions) as session:
        request = ImportRequest(
            path=csv, session=session, events=context.events, settings=context.settings
        )
        seconds, report = timed(lambda: EventsKind().run(request))
    assert isinstance(report, ImportReport)
    return seconds, report


def postgres_database(url: str) -> tuple[str, str]:
    name = f"tenure_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo(url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    scheme, _, rest = url.partition("://")
    server = rest.rsplit("/", 1)[0]
    return name, f"{scheme}://{server}/{name}"


def drop_postgres_database(url: str, name: str) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_postgres(work: Path, csv: Path, admin_url: str) -> None:
    name, url = postgres_database(admin_url)
    try:
        context = make_context(work / "pg", url)
        seconds, report = run_import(context, csv)
        print(f"postgres import   {seconds:7.2f} s  ({report.inserted:,} stored)")
        again, report = run_import(context, csv)
        print(f"postgres reimport {again:7.2f} s  ({report.inserted:,} stored)")
        context.close()
    finally:
        drop_postgres_database(admin_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="tenure-bench-events-"))
    work.mkdir(parents=True, exist_ok=True)
    csv = work / "events.csv"
    generate_csv(csv, args.rows)
    print(f"{args.rows:,} events, {csv.stat().st_size / 2**20:.0f} MB CSV, {os.cpu_count()} CPUs")

    floor = baseline(csv, work)
    print(f"baseline          {floor:7.2f} s  (DuckDB read_csv into a bare table)")
    context = make_context(work, f"duckdb:///{work / 'events.duckdb'}")
    seconds, report = run_import(context, csv)
    print(f"duckdb import     {seconds:7.2f} s  ({report.inserted:,} stored)")
    again, report = run_import(context, csv)
    print(f"duckdb reimport   {again:7.2f} s  ({report.inserted:,} stored)")
    context.close()
    print(f"ratio import/baseline {seconds / floor:.2f}")

    admin_url = os.environ.get("TENURE_TEST_POSTGRES_URL")
    if admin_url:
        bench_postgres(work, csv, admin_url)
    else:
        print("postgres          skipped (set TENURE_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
