"""The revenue series, a 12-month retention and a quarter's renewals: ours on DuckDB
against a straightforward pandas implementation of the same definitions, in one run.

Generates N accounts (default 100,000) with about five years of terms (annual terms
renewed with 85% probability, with price changes; a third monthly, mostly evergreen)
into a temporary SQLite database and reads the input tables once as Arrow. Then, --runs
times each (medians printed): ours = load into an in-memory DuckDB + the 60-month
revenue series + retention 2025-01..2025-12 + renewals of 2025-Q2 as of 2025-12-31;
pandas = the same three figures from the same Arrow tables (baseline below), checked
equal to ours. Prints the ratio (wall and process CPU time) and the load average.
Ours compiles each query's SQL once per process (`analytics.compiled`), so the first of
the runs pays the compile; the medians are the steady state of a long-running process.
Usage:
.venv/bin/python benchmarks/metrics_retention.py [--accounts N] [--runs R]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sqlalchemy import insert

from tenure.analytics.engines import connect_duckdb
from tenure.analytics.inputs import load_ledger, read_ledger
from tenure.analytics.renewals import compute_renewals
from tenure.analytics.retention import compute_retention
from tenure.analytics.revenue import compute_revenue, scale_query
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
    print(f"{label:<44} {time.perf_counter() - began:7.2f} s")
    return result


# --- the pandas baseline: METRICS.md sections 1-4 written the obvious way ---------------

def _month_idx(days: pd.Series) -> pd.Series:
    return days.dt.year * 12 + days.dt.month - 1


class PandasBook:
    """Terms as integer MRR units (1/10,000 of the currency over L), like ours, so that
    the baseline is exact too; snapshots are computed month by month."""

    def __init__(self, arrow: dict[str, pa.Table]) -> None:
        terms = arrow["term_details"].to_pandas(date_as_object=False)
        terms = terms[terms["amount"].astype(float) > 0].copy()
        self.denominator = math.lcm(*terms["billing_period_months"].unique().tolist())
        amount_units = np.round(terms["amount"].astype(float) * 10_000).astype("int64")
        terms["units"] = amount_units * (self.denominator // terms["billing_period_months"])
        terms["lo"] = _month_idx(terms["start_date"])
        terms["hi"] = (_month_idx(terms["end_date"]) - 1).fillna(10**7).astype("int64")
        self.terms = terms
        self.labels = arrow["labels"].to_pandas().set_index("account_id")["external_id"]
        self.per_cent = 100 * self.denominator

    def cents(self, units: pd.Series, times: int = 1) -> pd.Series:
        return (units * times + self.per_cent // 2) // self.per_cent

    def snapshot(self, month: int) -> pd.Series:
        """MRR(a, m) in cents of the paying accounts, indexed by account_id."""
        t = self.terms
        active = t[(t["lo"] <= month) & (t["hi"] >= month)]
        cents = self.cents(active.groupby("account_id")["units"].sum())
        return cents[cents > 0]

    def revenue(self, first: int, last: int) -> list[dict[str, int]]:
        rows, seen = [], pd.Index([], dtype="int64")
        previous = pd.Series(dtype="int64")
        for month in range(int(self.terms["lo"].min()), last + 1):
            current = self.snapshot(month)
            both = pd.DataFrame({"cur": current, "prev": previous}).fillna(0).astype("int64")
            cur, prev = both["cur"], both["prev"]
            started = (prev == 0) & (cur > 0)
            back = started & both.index.isin(seen)
            new, grew = started & ~back, (prev > 0) & (cur > prev)
            shrank, lost = (prev > 0) & (cur > 0) & (cur < prev), (prev > 0) & (cur == 0)
            if month >= first:
                rows.append({
                    "month": month, "mrr": int(cur.sum()), "customers": int((cur > 0).sum()),
                    "new_mrr": int(cur[new].sum()), "reactivation_mrr": int(cur[back].sum()),
                    "expansion_mrr": int((cur - prev)[grew].sum()),
                    "contraction_mrr": int((prev - cur)[shrank].sum()),
                    "churned_mrr": int(prev[lost].sum()), "new_customers": int(new.sum()),
                    "reactivated_customers": int(back.sum()), "churned_customers": int(lost.sum()),
                })  # fmt: skip
            seen, previous = seen.union(current.index), current
        return rows

    def retention(self, first: int, last: int) -> dict[str, int]:
        before, after = self.snapshot(first - 1), self.snapshot(last)
        end = after.reindex(before.index, fill_value=0)
        return {"start_customers": len(before), "start_mrr": int(before.sum()),
                "end_mrr": int(end.sum()), "retained_mrr": int(np.minimum(before, end).sum()),
                "churned_customers": int((end == 0).sum())}  # fmt: skip

    def renewals(self, first: date, last: date, as_of: date, grace: int) -> dict[str, object]:
        t = self.terms
        due = t[(t["end_date"] >= pd.Timestamp(first)) & (t["end_date"] <= pd.Timestamp(last))]
        due = due.assign(window=due["end_date"] + pd.Timedelta(days=grace))
        pairs = due.merge(t, on="account_id", suffixes=("", "_s"))
        pairs = pairs[(pairs["term_id"] != pairs["term_id_s"]) & (pairs["start_date_s"] >= pairs["end_date"])
                      & (pairs["start_date_s"] <= pairs["window"])]  # fmt: skip
        due = due.assign(renewed=due["term_id"].isin(pairs["term_id"]))
        open_ = due[~due["renewed"]]
        per = pd.DataFrame({
            "due": self.cents(due.groupby("account_id")["units"].sum(), 12),
            "renewed_any": due.groupby("account_id")["renewed"].any(),
            "pending": (open_["window"] > pd.Timestamp(as_of)).groupby(open_["account_id"]).any(),
            "release": open_.groupby("account_id")["window"].max(),
        })  # fmt: skip
        successors = pairs.drop_duplicates(["account_id", "term_id_s"])
        per["renewed"] = self.cents(successors.groupby("account_id")["units_s"].sum(), 12)
        per["renewed"] = per["renewed"].fillna(0).astype("int64")
        per["pending"] = per["pending"].eq(True)  # accounts with every due term renewed: NaN
        per["status"] = np.where(per["renewed_any"], "renewed", np.where(per["pending"], "pending", "churned"))
        statuses = dict(zip(self.labels.reindex(per.index), per["status"], strict=True))
        return {"due_customers": len(per), "renewed_customers": int((per["status"] == "renewed").sum()),
                "pending_customers": int((per["status"] == "pending").sum()),
                "due_arr": int(per["due"].sum()), "renewed_arr": int(per["renewed"].sum()),
                "gross_renewed_arr": int(np.minimum(per["renewed"], per["due"]).sum()),
                "statuses": statuses}  # fmt: skip


FIRST, LAST = date(2021, 1, 1), date(2025, 12, 1)
YEAR, QUARTER, AS_OF, GRACE = date(2025, 1, 1), (date(2025, 4, 1), date(2025, 6, 30)), date(2025, 12, 31), 30


def run_ours(arrow: dict[str, pa.Table]):  # type: ignore[no-untyped-def]
    backend = connect_duckdb()
    source = load_ledger(backend, arrow)
    revenue = compute_revenue(source.terms, FIRST, LAST)
    retention = compute_retention(source, YEAR, LAST)
    renewals = compute_renewals(source, *QUARTER, AS_OF, GRACE)
    backend.disconnect()
    return revenue, retention, renewals


def run_pandas(arrow: dict[str, pa.Table]):  # type: ignore[no-untyped-def]
    book = PandasBook(arrow)
    first, last = FIRST.year * 12 + FIRST.month - 1, LAST.year * 12 + LAST.month - 1
    return (book.revenue(first, last), book.retention(YEAR.year * 12, last),
            book.renewals(*QUARTER, AS_OF, GRACE))  # fmt: skip


def cents(value: Decimal) -> int:
    return int(value * 100)


def check_equal(ours, baseline) -> None:  # type: ignore[no-untyped-def]
    """Every figure of the three, ours against the baseline, to the cent."""
    revenue, retention, renewals = ours
    months, kept, due = baseline
    assert len(revenue.months) == len(months)
    for mine, theirs in zip(revenue.months, months, strict=True):
        for key, value in theirs.items():
            if key != "month":
                got = getattr(mine, key)
                assert (cents(got) if isinstance(got, Decimal) else got) == value, (mine.month, key)
    f = retention.figures
    assert (f.start_customers, cents(f.start_mrr), cents(f.end_mrr), cents(f.retained_mrr),
            f.churned_customers) == tuple(kept.values()), (f, kept)  # fmt: skip
    r = renewals.figures
    assert (r.due_customers, r.renewed_customers, r.pending_customers, cents(r.due_arr),
            cents(r.renewed_arr), cents(r.gross_renewed_arr)) == tuple(list(due.values())[:6]), (r, due)
    assert {a.external_id: a.status for a in renewals.accounts} == due["statuses"]


def median_time(work, runs: int, cpu: list[float] | None = None):  # type: ignore[no-untyped-def]
    """Median wall time of `runs` calls; with `cpu`, appends the median process CPU time
    (all threads: DuckDB runs queries on several)."""
    times, cpu_times, result = [], [], None
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - began)
        cpu_times.append(time.process_time() - began_cpu)
    if cpu is not None:
        cpu.append(statistics.median(cpu_times))
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate.upgrade(engine)
    accounts, terms = timed("generate", lambda: generate(args.accounts))
    with engine.begin() as connection:
        connection.execute(insert(Account), accounts)
        connection.execute(insert(SubscriptionTerm), terms)
    print(f"{len(accounts):,} accounts, {len(terms):,} terms; medians of {args.runs} runs")
    read, arrow = median_time(lambda: read_ledger(engine), args.runs)
    print(f"{'read the operational tables as Arrow':<44} {read:7.2f} s")
    began = time.perf_counter()
    run_ours(arrow)  # the first run in this process also compiles every query once
    print(f"{'ours, first run (compiles each query once)':<44} {time.perf_counter() - began:7.2f} s")
    stages = {}
    backend = connect_duckdb()
    source = load_ledger(backend, arrow)
    for label, work in (
        ("load into DuckDB", lambda: load_ledger(connect_duckdb(), arrow).base.backend.disconnect()),
        ("MRR scale (once per load)", lambda: scale_query(backend, source.terms)),
        ("revenue 2021-01..2025-12 (60 months)", lambda: compute_revenue(source.terms, FIRST, LAST)),
        ("retention 2025-01..2025-12", lambda: compute_retention(source, YEAR, LAST)),
        ("renewals 2025-Q2, as of 2025-12-31", lambda: compute_renewals(source, *QUARTER, AS_OF, GRACE)),
        ("(retention by segment, not in the total)",
         lambda: compute_retention(source, YEAR, LAST, "segment")),
    ):  # fmt: skip
        stages[label], _ = median_time(work, args.runs)
        print(f"{'  ours: ' + label:<44} {stages[label]:7.3f} s")
    backend.disconnect()
    cpu: list[float] = []
    ours_time, ours = median_time(lambda: run_ours(arrow), args.runs, cpu)
    pandas_time, baseline = median_time(lambda: run_pandas(arrow), args.runs, cpu)
    check_equal(ours, baseline)
    print(f"{'ours, all three (load + revenue + retention + renewals)':<44} {ours_time:7.3f} s"
          f"   (CPU {cpu[0]:.3f} s)")
    print(f"{'pandas baseline, all three':<44} {pandas_time:7.3f} s   (CPU {cpu[1]:.3f} s; "
          "equal to ours: checked)")
    print(f"ratio pandas / ours: {pandas_time / ours_time:.1f}x (CPU {cpu[1] / cpu[0]:.1f}x); "
          f"with the read: ours {read + ours_time:.2f} s, "
          f"ratio {(read + pandas_time) / (read + ours_time):.1f}x")
    print(f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    f, r = ours[1].figures, ours[2].figures
    print(f"NRR {f.nrr} GRR {f.grr} cohort {f.start_customers:,}; renewals due {r.due_customers:,} "
          f"logo {r.logo_renewal_rate} ARR {r.arr_renewal_rate}")  # fmt: skip


if __name__ == "__main__":
    main()
