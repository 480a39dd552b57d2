"""Time the revenue series, a 12-month retention and a quarter's renewals on DuckDB.

Generates N accounts (default 100,000) with about five years of terms (annual terms
renewed with 85% probability, with price changes; a third monthly evergreen with
cancellations) into a temporary SQLite database, then times, on one in-memory DuckDB:
reading the tables, the 60-month revenue series, a 12-month retention and a quarter's
renewals. Usage: .venv/bin/python benchmarks/metrics_retention.py [--accounts N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from tenure.analytics.engines import connect_duckdb
from tenure.analytics.inputs import load_ledger, read_ledger
from tenure.analytics.renewals import compute_renewals
from tenure.analytics.retention import compute_retention
from tenure.analytics.revenue import compute_revenue
from tenure.kit import migrate
from tenure.kit.db import make_engine
from tenure.models.accounts import Account
from tenure.models.billing import SubscriptionTerm


def generate(accounts: int, seed: int = 7) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    account_rows, term_rows = [], []
    for i in range(1, accounts + 1):
        account_rows.append({"id": i, "external_id": f"acc-{i}", "name": f"Account {i}",
                             "segment": rng.choice(["smb", "mid", "enterprise"])})  # fmt: skip
        start = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 5 * 365))
        if rng.random() < 0.33:
            end = None if rng.random() < 0.7 else start + timedelta(days=rng.randrange(30, 900))
            term_rows.append(_term(len(term_rows), i, start, end, Decimal(rng.choice([49, 99, 299])), 1))
            continue
        amount = Decimal(rng.randrange(1_200, 60_000))
        while start < date(2026, 1, 1):
            end = date(start.year + 1, start.month, min(start.day, 28))
            term_rows.append(_term(len(term_rows), i, start, end, amount, 12))
            if rng.random() > 0.85:
                break
            start = end + timedelta(days=rng.choice([0, 0, 0, 5, 20, 45]))
            amount = (amount * Decimal(rng.choice(["0.9", "1", "1", "1.1", "1.25"]))).quantize(Decimal(1))
    return account_rows, term_rows


def _term(n: int, account: int, start: date, end: date | None, amount: Decimal, months: int) -> dict:
    return {"external_id": f"t-{n}", "account_id": account, "start_date": start, "end_date": end,
            "amount": amount, "billing_period_months": months}  # fmt: skip


def timed(label: str, work):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = work()
    print(f"{label:<40} {time.perf_counter() - began:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate.upgrade(engine)
    accounts, terms = timed("generate", lambda: generate(args.accounts))
    with engine.begin() as connection:
        connection.execute(insert(Account), accounts)
        connection.execute(insert(SubscriptionTerm), terms)
    print(f"{len(accounts):,} accounts, {len(terms):,} terms")
    backend = connect_duckdb()
    source = timed("read tables into DuckDB", lambda: load_ledger(backend, read_ledger(engine)))
    timed("revenue 2021-01..2025-12 (60 months)",
          lambda: compute_revenue(source.terms, date(2021, 1, 1), date(2025, 12, 1)))  # fmt: skip
    retention = timed("retention 2025-01..2025-12",
                      lambda: compute_retention(source, date(2025, 1, 1), date(2025, 12, 1)))  # fmt: skip
    renewals = timed("renewals 2025-Q2, as of 2025-12-31",
                     lambda: compute_renewals(source, date(2025, 4, 1), date(2025, 6, 30),
                                              date(2025, 12, 31), 30))  # fmt: skip
    timed("retention by segment",
          lambda: compute_retention(source, date(2025, 1, 1), date(2025, 12, 1), "segment"))  # fmt: skip
    f, r = retention.figures, renewals.figures
    print(f"NRR {f.nrr} GRR {f.grr} cohort {f.start_customers:,}; renewals due {r.due_customers:,} "
          f"logo {r.logo_renewal_rate} ARR {r.arr_renewal_rate}")  # fmt: skip
    backend.disconnect()


if __name__ == "__main__":
    main()
