"""Unit economics, CMRR and cohort tables: the compiled-once queries against the code
before them (git commit --baseline, default 7ed95d1: the Ibis expression built and
compiled on every call, dates compared per row, cohorts over a month grid), side by side
in one run on the same loaded DuckDB.

Generates N accounts (default 100,000) with `metrics_retention.generate` (annual terms
renewed with 85% probability, a third monthly) plus signing days, notices, plans and
60 months of spend, into a temporary SQLite database; reads the input tables once as
Arrow and loads them into one in-memory DuckDB. Then per figure: the first call of each
side (the baseline compiles every call; ours compiles here once per process) and the
median of --runs warm calls, ratio baseline / ours, and whether both results are equal.
The baseline modules are read with `git show` from the commit (revenue, economics, cmrr,
cohorts), so the script needs the git checkout.
Usage:
.venv/bin/python benchmarks/economics_cohorts.py [--accounts N] [--runs R] [--baseline COMMIT]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from tenure.analytics import cmrr, cohorts, economics
from tenure.analytics.engines import connect_duckdb
from tenure.analytics.inputs import LedgerTables, load_ledger, read_ledger
from tenure.kit import migrate
from tenure.kit.db import make_engine
from tenure.models.accounts import Account
from tenure.models.billing import MarketingSpend, SubscriptionTerm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics_retention import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE_MODULES = ("revenue", "economics", "cmrr", "cohorts")  # in import order
CASES: dict[str, Callable[[Any, LedgerTables], Any]] = {
    "economics 2025-01..2025-12": lambda m, s: m.compute_economics(
        s, date(2025, 1, 1), date(2025, 12, 1), Decimal("0.8")),
    "economics by segment": lambda m, s: m.compute_economics(
        s, date(2025, 1, 1), date(2025, 12, 1), Decimal("0.8"), "segment"),
    "cmrr as of 2025-06-15": lambda m, s: m.compute_cmrr(s, date(2025, 6, 15)),
    "cmrr by plan": lambda m, s: m.compute_cmrr(s, date(2025, 6, 15), "plan"),
    "cohorts 2023-01..2025-12 (36)": lambda m, s: m.compute_cohorts(s, date(2023, 1, 1), date(2025, 12, 1)),
    "cohorts by segment": lambda m, s: m.compute_cohorts(s, date(2023, 1, 1), date(2025, 12, 1), "segment"),
}  # fmt: skip
OURS = {"economics": economics, "cmrr": cmrr, "cohorts": cohorts}


def load_baseline(commit: str) -> dict[str, types.ModuleType]:
    """The baseline's modules from `git show`, importing each other (not ours)."""
    modules: dict[str, types.ModuleType] = {}
    for name in BASELINE_MODULES:
        text = subprocess.run(["git", "show", f"{commit}:src/tenure/analytics/{name}.py"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        for other in BASELINE_MODULES:
            text = text.replace(f"from tenure.analytics.{other} import", f"from baseline_{other} import")
        module = types.ModuleType(f"baseline_{name}")
        sys.modules[module.__name__] = module
        exec(compile(text, f"{commit}:{name}.py", "exec"), module.__dict__)  # noqa: S102
        modules[name] = module
    return modules


def write_book(accounts: int, folder: Path) -> Any:
    """The generated book with signing days, notices, plans and spend, in SQLite."""
    rng = random.Random(3)
    account_rows, term_rows = generate(accounts)
    for term in term_rows:
        term.update(plan=rng.choice(["basic", "pro", "enterprise"]), signed_at=None, canceled_at=None)
        if term["billing_period_months"] == 12:
            term["signed_at"] = term["start_date"] - timedelta(days=rng.randrange(0, 90))
        elif term["end_date"] is not None and rng.random() < 0.5:
            term["canceled_at"] = term["end_date"] - timedelta(days=rng.randrange(1, 30))
    spend = [{"month": date(2021 + m // 12, m % 12 + 1, 1),
              "sales_marketing_spend": Decimal(rng.randrange(10**5, 10**6))} for m in range(60)]
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(insert(Account), account_rows)
        connection.execute(insert(SubscriptionTerm), term_rows)
        connection.execute(insert(MarketingSpend), spend)
    print(f"{len(account_rows):,} accounts, {len(term_rows):,} terms")
    return engine


def comparable(result: Any) -> Any:
    """Cohort tables are dataclasses of each module (compared as tuples); the metric
    results are shared classes (compared as they are)."""
    return dataclasses.astuple(result) if type(result).__name__ == "CohortTable" else result


def measure(work: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(first call, median of `runs` further calls, result) in seconds."""
    began = time.perf_counter()
    result = work()
    first = time.perf_counter() - began
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return first, statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", default="7ed95d1")
    args = parser.parse_args()
    baseline = load_baseline(args.baseline)
    arrow = read_ledger(write_book(args.accounts, Path(tempfile.mkdtemp())))
    backend = connect_duckdb()
    source = load_ledger(backend, arrow)
    print(f"{'figure':<32} {'baseline':>17} {'ours':>17} {'ratio':>6}  equal")
    print(f"{'':<32} {'first':>8} {'median':>8} {'first':>8} {'median':>8}")
    ratios = []
    for label, case in CASES.items():
        name = label.split()[0]
        old = measure(lambda: case(baseline[name], source), args.runs)
        new = measure(lambda: case(OURS[name], source), args.runs)
        same = comparable(old[2]) == comparable(new[2])
        ratios.append(old[1] / new[1])
        print(f"{label:<32} {old[0] * 1000:6.0f}ms {old[1] * 1000:6.0f}ms {new[0] * 1000:6.0f}ms "
              f"{new[1] * 1000:6.0f}ms {old[1] / new[1]:5.1f}x  {same}")  # fmt: skip
        assert same, f"{label}: ours differs from the baseline"
    backend.disconnect()
    print(f"median ratio {statistics.median(ratios):.1f}x; medians of {args.runs} warm runs; "
          f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
