"""Benchmark: health scoring of N accounts (default 100,000) with the shipped scorecards,
the vectorised engine against a plain pandas loop over accounts, in the same run.

Inputs are synthetic frames shaped exactly like what `tenure.health.inputs.load_inputs`
returns (60 days of per-account daily rollup rows, terms, tickets, surveys, invoices,
champions, CSM touches), generated with a fixed seed, so both sides start from the same
in-memory data; loading from the databases is not part of either side.

1. vectorised  `tenure.health.scoring.score_inputs`: every measure for all accounts,
               scorecard choice, scores, grades, per-measure contributions (the work of
               `tenure health score` between loading and storing).
2. loop        per account: its rows (pre-split once with groupby, not counted), each
               measure with pandas on those rows, then the weighted means in Python.
               Run on a sample of accounts (default 1,000) and extrapolated linearly.

    .venv/bin/python benchmarks/health_score.py [--accounts N] [--runs R] [--sample S]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tenure.health import store
from tenure.health.engine import assign_cards, map_scores
from tenure.health.inputs import MeasureInputs
from tenure.health.measures import MEASURES
from tenure.health.scorecards import Scorecard
from tenure.health.scoring import attributes, score_inputs

AS_OF = date(2025, 6, 30)


def _stamps(rng: np.random.Generator, n: int, days_back: int) -> pd.Series:
    seconds = rng.integers(0, days_back * 86400, n)
    return pd.Series(pd.Timestamp(AS_OF, tz="UTC") + pd.Timedelta(days=1)
                     - pd.to_timedelta(seconds, unit="s"))  # fmt: skip


def synthetic_inputs(n: int, seed: int = 7) -> MeasureInputs:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    start = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(10, 1500, n), unit="D")
    accounts = pd.DataFrame({
        "account_id": ids, "external_id": [f"ACC-{i:07d}" for i in ids],
        "segment": rng.choice(["enterprise", "mid_market", "smb"], n, p=[0.1, 0.3, 0.6]),
        "lifecycle_stage": None, "customer_since": start.tz_localize("UTC"),
        "csm_sentiment": rng.choice(["red", "yellow", "green", None], n),
        "csm_sentiment_at": _stamps(rng, n, 200),
    })  # fmt: skip
    live = rng.random(n) < 0.85
    ends = start + pd.to_timedelta(rng.integers(365, 1100, n), unit="D")
    terms = pd.DataFrame({
        "account_id": ids, "start_date": start.date, "end_date": np.where(live, ends.date, start.date + timedelta(days=300)),
        "amount": rng.integers(50, 5000, n).astype(float), "billing_period_months": rng.choice([1, 12], n),
        "quantity": rng.integers(1, 200, n),
        # Ended terms had notice given 20 days before their end; live ones none.
        "canceled_at": np.where(live, None, start.date + timedelta(days=280)),
    })  # fmt: skip
    active_days = rng.integers(0, 45, n)
    rows = np.repeat(ids, active_days)
    day = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 60, len(rows)), unit="D")
    usage = pd.DataFrame({"account_id": rows, "day": day, "events": rng.integers(1, 400, len(rows)),
                          "active_users": rng.integers(1, 60, len(rows))})  # fmt: skip
    usage = usage.drop_duplicates(["account_id", "day"]).reset_index(drop=True)
    seen = usage.groupby("account_id")["day"].max()
    k = n * 5
    tickets = pd.DataFrame({"account_id": rng.integers(1, n + 1, k), "opened_at": _stamps(rng, k, 200),
                            "priority": rng.choice(["low", "normal", "high", "urgent"], k)})  # fmt: skip
    closed = tickets["opened_at"] + pd.to_timedelta(rng.integers(600, 20 * 86400, k), unit="s")
    tickets["closed_at"] = closed.where(rng.random(k) < 0.9)
    s = n * 2
    surveys = pd.DataFrame({"account_id": rng.integers(1, n + 1, s), "kind": rng.choice(["nps", "csat"], s),
                            "score": rng.integers(0, 11, s), "responded_at": _stamps(rng, s, 400)})  # fmt: skip
    i = n * 6
    issued = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 365, i), unit="D")
    paid = issued + pd.to_timedelta(rng.integers(0, 60, i), unit="D")
    invoices = pd.DataFrame({
        "account_id": rng.integers(1, n + 1, i), "issued_on": issued.date,
        "due_on": (issued + pd.Timedelta(days=30)).date,
        "paid_on": pd.Series(paid.date).where(rng.random(i) < 0.95),
        "status": rng.choice(["paid", "open", "failed"], i, p=[0.9, 0.08, 0.02]),
    })  # fmt: skip
    champions = pd.DataFrame({"account_id": rng.integers(1, n + 1, n),
                              "left_at": _stamps(rng, n, 700).where(rng.random(n) < 0.2)})  # fmt: skip
    t = n * 10
    touches = pd.DataFrame({"account_id": rng.integers(1, n + 1, t), "occurred_at": _stamps(rng, t, 365)})
    return MeasureInputs(
        as_of=AS_OF, accounts=accounts, terms=terms, tickets=tickets, surveys=surveys,
        invoices=invoices, champions=champions, touches=touches, usage_days=usage,
        features_30d=pd.Series(rng.integers(0, 16, len(seen)).astype(float), index=seen.index),
        last_seen=seen, milestones=None,
    )  # fmt: skip


def vectorised(data: MeasureInputs, cards: list[Scorecard]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the CPU time shows
    the work itself, the wall time what waiting for a core added."""
    started, cpu = time.perf_counter(), time.process_time()
    batch = score_inputs(data, cards)
    elapsed = time.perf_counter() - started, time.process_time() - cpu
    assert len(batch) == len(data.accounts)
    return elapsed


def _split(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {key: part for key, part in frame.groupby("account_id")}


def loop(data: MeasureInputs, cards: list[Scorecard], sample: int) -> float:
    """Per account: slice every input to that account (pre-split, not timed) and run the
    same measure classes and scorecard arithmetic on one account at a time."""
    sampled = data.accounts["account_id"].to_numpy()[:sample]
    names = ("accounts", "terms", "tickets", "surveys", "invoices", "champions", "touches",
             "usage_days")  # fmt: skip
    frames = {}
    for name in names:
        frame = getattr(data, name)
        frames[name] = _split(frame[frame["account_id"].isin(sampled)])
    chosen = assign_cards(cards, attributes(data))
    empty = {name: getattr(data, name).iloc[0:0] for name in frames}
    started = time.perf_counter()
    for position, account_id in enumerate(sampled):
        parts = {name: frames[name].get(account_id, empty[name]) for name in frames}
        one = MeasureInputs(
            as_of=data.as_of, **parts,
            features_30d=data.features_30d.reindex([account_id]).dropna(),
            last_seen=data.last_seen.reindex([account_id]).dropna(), milestones=None,
        )  # fmt: skip
        card = cards[chosen[position]]
        values = {name: MEASURES[name]().compute(one).get(account_id, np.nan)
                  for name in card.measure_names}  # fmt: skip
        _score_one(card, values)
    return time.perf_counter() - started


def _score_one(card: Scorecard, values: dict[str, float]) -> float | None:
    total_w, total = 0.0, 0.0
    for group in card.groups:
        w_sum, s_sum = 0.0, 0.0
        for spec in group.measures:
            score = map_scores(spec, np.array([values[spec.measure]], dtype=float))[0]
            if not np.isnan(score):
                w_sum, s_sum = w_sum + spec.weight, s_sum + spec.weight * score
        if w_sum:
            total_w, total = total_w + group.weight, total + group.weight * s_sum / w_sum
    return total / total_w if total_w else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1_000)
    args = parser.parse_args()
    cards = store.shipped_scorecards()
    cards.sort(key=lambda c: (c.name == "default", c.order, c.name))
    t0 = time.perf_counter()
    data = synthetic_inputs(args.accounts)
    print(f"{args.accounts:,} accounts, {len(data.usage_days):,} usage rows, "
          f"{len(data.tickets):,} tickets, {len(data.touches):,} touches "
          f"(generated in {time.perf_counter() - t0:.1f} s)")  # fmt: skip
    fast, cpu, slow = [], [], []
    for run in range(args.runs):
        wall, used = vectorised(data, cards)
        fast.append(wall)
        cpu.append(used)
        per_account = loop(data, cards, args.sample) / args.sample
        slow.append(per_account * args.accounts)
        print(f"run {run + 1}: vectorised {wall:.2f} s (CPU {used:.2f} s); loop "
              f"{per_account * 1000:.2f} ms/account -> {slow[-1]:.0f} s for {args.accounts:,}")  # fmt: skip
    f, s = statistics.median(fast), statistics.median(slow)
    print(f"median: vectorised {f:.2f} s (CPU {statistics.median(cpu):.2f} s), loop "
          f"(extrapolated) {s:.0f} s, ratio {s / f:.0f}x; "
          f"goal < 10 s: {'met' if f < 10 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
