"""Early-warning rules over many accounts: the vectorised rules against a plain Python
loop over accounts, in one run, on the same synthetic frames (no database: this times
the rules, not the queries that load their inputs).

    .venv/bin/python benchmarks/risk_rules.py [--accounts N] [--runs R]

The baseline evaluates three rules (usage decline, NPS detractor, payment problem) account
by account over pre-grouped Python dicts; the vectorised side runs all seven rules.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tenure.risk.inputs import RiskData
from tenure.risk.rules import RULES
from tenure.risk.rules.usage import complete_months
from tenure.kit.timeutil import month_end

AS_OF = date(2026, 6, 10)


def synthetic(n: int, seed: int = 7) -> RiskData:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    seats = rng.integers(5, 200, n).astype("float64")
    terms = pd.DataFrame({
        "account_id": ids, "start_date": pd.Timestamp("2025-01-01"),
        "end_date": pd.Timestamp(AS_OF) + pd.to_timedelta(rng.integers(1, 400, n), unit="D"),
        "amount": 1000.0, "billing_period_months": 12, "quantity": seats,
        "signed_at": pd.NaT, "canceled_at": pd.NaT,
    })
    days = pd.date_range(AS_OF - timedelta(days=100), AS_OF)
    usage_ids = np.repeat(ids, len(days) // 4)
    usage = pd.DataFrame({
        "account_id": usage_ids,
        "day": rng.choice(days, len(usage_ids)),
        "events": 10.0,
        "active_users": rng.integers(0, 8, len(usage_ids)).astype("float64"),
    })
    nps = pd.DataFrame({
        "account_id": ids, "external_id": [f"r{i}" for i in ids],
        "score": rng.integers(0, 11, n),
        "responded_at": pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
    })
    inv = pd.DataFrame({
        "account_id": np.repeat(ids, 3), "external_id": [f"i{i}" for i in range(3 * n)],
        "amount": 100.0,
        "issued_on": pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 120, 3 * n), unit="D"),
        "status": rng.choice(["paid", "open", "failed"], 3 * n, p=[0.9, 0.07, 0.03]),
    })
    inv["due_on"] = inv["issued_on"] + pd.Timedelta(days=30)
    inv["paid_on"] = inv["issued_on"].where(inv["status"] == "paid") + pd.Timedelta(days=10)
    champions = pd.DataFrame({
        "account_id": ids, "external_id": [f"c{i}" for i in ids], "email": "x@example.com",
        "left_at": pd.Series(pd.NaT, index=range(n)).where(rng.random(n) > 0.02,
                                                           pd.Timestamp(AS_OF) - pd.Timedelta(days=5)),
    })
    accounts = pd.DataFrame({"account_id": ids, "external_id": [f"a{i}" for i in ids], "owner_id": 1})
    users = pd.Series(seats * rng.uniform(0.3, 1.0, n), index=pd.Index(ids, name="account_id"))
    health = pd.DataFrame({"score": rng.uniform(0, 100, n), "grade": "yellow",
                           "score_30d_ago": rng.uniform(0, 100, n), "scored_on": pd.Timestamp(AS_OF)},
                          index=pd.Index(ids, name="account_id"))  # fmt: skip
    return RiskData(accounts=accounts, terms=terms, champions=champions, invoices=inv, nps=nps,
                    usage=usage, health=lambda _d: health, users=lambda _d, _n: users)  # fmt: skip


def vectorised(data: RiskData) -> int:
    return sum(len(cls().evaluate(data, AS_OF)) for cls in RULES.values())


def loop(data: RiskData) -> int:
    """Three rules, one account at a time, over dicts grouped up front."""
    seats = dict(zip(data.terms["account_id"], data.terms["quantity"]))
    usage: dict[int, list[tuple[pd.Timestamp, float]]] = defaultdict(list)
    for a, d, u in zip(data.usage["account_id"], data.usage["day"], data.usage["active_users"]):
        usage[a].append((d, u))
    nps = defaultdict(list)
    for a, t, s in zip(data.nps["account_id"], data.nps["responded_at"], data.nps["score"]):
        nps[a].append((t, s))
    invoices = defaultdict(list)
    for row in data.invoices.itertuples():
        invoices[row.account_id].append(row)
    months = [(pd.Timestamp(m), pd.Timestamp(month_end(m))) for m in complete_months(AS_OF, 2)]
    day, fired = pd.Timestamp(AS_OF), 0
    for account in data.accounts["account_id"]:
        rows = usage.get(account, [])
        low = all(sum(u for d, u in rows if start <= d <= end) / seats[account] < 1.0
                  for start, end in months)  # fmt: skip
        recent = [(t, s) for t, s in nps.get(account, []) if day - timedelta(days=90) < t <= day]
        detractor = bool(recent) and max(recent)[1] <= 6
        late = any(i.paid_on is pd.NaT or pd.isna(i.paid_on) or i.paid_on > day
                   for i in invoices.get(account, [])
                   if i.status != "paid" and i.due_on <= day - timedelta(days=7))  # fmt: skip
        fired += low + detractor + late
    return fired


def median_seconds(function, data: RiskData, runs: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, result = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = function(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = synthetic(args.accounts)
    print(f"{args.accounts:,} accounts, {len(data.usage):,} usage rows, "
          f"{len(data.invoices):,} invoices")  # fmt: skip
    fast, fired = median_seconds(vectorised, data, args.runs)
    slow, looped = median_seconds(loop, data, args.runs)
    print(f"vectorised, 7 rules: {fast:.2f} s ({fired:,} firings)")
    print(f"python loop, 3 rules: {slow:.2f} s ({looped:,} firings)")
    print(f"ratio (loop / vectorised): {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
