"""Benchmark: `tenure import accounts` of 100,000 rows against the physical floor.

Generates a 100k-row accounts CSV (every column, 10% with a parent in the same file,
50 owners), then times, in the same run:

- import: the real import through `tenure.imports.service.import_file` into a fresh,
  migrated SQLite file in a temp folder (and PostgreSQL too when
  TENURE_TEST_POSTGRES_URL is set), committed;
- baseline: the raw `csv` parse plus one bare `executemany` INSERT of the same rows with
  the standard library's sqlite3 into an equivalent table (no validation at all).

Prints both times and the ratio. Usage: .venv/bin/python benchmarks/import_accounts.py [ROWS]
"""

from __future__ import annotations

import csv
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tenure.config import Settings
from tenure.imports.service import import_file
from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import make_engine, unit_of_work

HEADER = [
    "external_id", "name", "domain", "industry", "country", "employees",
    "parent_external_id", "owner_email", "created_at", "segment", "lifecycle_stage",
]  # fmt: skip
INDUSTRIES = ["Software", "Retail", "Healthcare", "Finance", "Education", "Logistics"]
COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN"]
SEGMENTS = ["enterprise", "mid_market", "smb"]
STAGES = ["onboarding", "adoption", "mature", "renewal"]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            parent = f"ACC{rnd.randrange(i):06d}" if i and rnd.random() < 0.1 else ""
            writer.writerow([
                f"ACC{i:06d}", f"Company {i}", f"company{i}.example.com",
                rnd.choice(INDUSTRIES), rnd.choice(COUNTRIES), rnd.randrange(1, 50_000),
                parent, f"csm{rnd.randrange(50)}@tenure.example",
                f"20{rnd.randrange(15, 25)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                rnd.choice(SEGMENTS), rnd.choice(STAGES),
            ])  # fmt: skip


def time_import(csv_path: Path, database_url: str, home: Path) -> float:
    settings = Settings(home=home, database_url=database_url, events_url=f"duckdb:///{home}/e.db")
    context = AppContext(settings)
    migrate.upgrade(context.engine)
    try:
        started = time.perf_counter()
        with unit_of_work(context.sessions) as session:
            report = import_file(
                "accounts",
                csv_path,
                session=session,
                settings=settings,
                events=lambda: context.events,
            )
        elapsed = time.perf_counter() - started
        assert report.inserted == report.rows, report
        assert "events" not in context.__dict__, "the event store was opened"
        return elapsed
    finally:
        context.close()


def time_baseline(csv_path: Path, db_path: Path) -> float:
    connection = sqlite3.connect(db_path)
    connection.execute(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, name TEXT, "
        "domain TEXT, industry TEXT, country TEXT, employees INTEGER, parent TEXT, "
        "owner TEXT, created TEXT, segment TEXT, stage TEXT)"
    )
    started = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = list(reader)
    with connection:
        connection.executemany(
            "INSERT INTO accounts (external_id, name, domain, industry, country, employees, "
            "parent, owner, created, segment, stage) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"tenure_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(False)


def drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        csv_path = tmp / "accounts.csv"
        write_csv(csv_path, rows)
        baseline = time_baseline(csv_path, tmp / "baseline.db")
        sqlite_time = time_import(csv_path, f"sqlite:///{tmp / 'tenure.db'}", tmp / "home")
        print(f"rows={rows}")
        print(f"baseline (csv + sqlite3 executemany): {baseline:.2f} s")
        print(f"import accounts, SQLite:              {sqlite_time:.2f} s")
        print(f"ratio SQLite/baseline:                {sqlite_time / baseline:.1f}x")
        admin_url = os.environ.get("TENURE_TEST_POSTGRES_URL")
        if admin_url:
            name, url = postgres_database(admin_url)
            try:
                pg_time = time_import(csv_path, url, tmp / "home-pg")
            finally:
                make_engine(url).dispose()
                drop_postgres(admin_url, name)
            print(f"import accounts, PostgreSQL:          {pg_time:.2f} s")
            print(f"ratio PostgreSQL/baseline:            {pg_time / baseline:.1f}x")


if __name__ == "__main__":
    main()
