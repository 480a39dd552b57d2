"""Batch churn scoring of N accounts (default 100,000) against a plain pandas loop over
accounts, in one run.

Builds a synthetic feature frame with the churn model's real columns (the features of
`tenure.churn.features` plus the health measures: numbers with missing values, plan,
segment and industry as categories) and a label with signal, fits each candidate family
once (logistic regression with splines, histogram gradient boosting) on 20,000 rows,
then for each model, --runs times (medians printed):

- batch: `tenure.churn.service.score_frame` on all N accounts: probabilities, the top
  five drivers of every account (change in probability at the baseline value) and their
  JSON, exactly what `tenure churn score` writes;
- loop: the same per account, `score_frame` on one row at a time in a Python loop over
  the DataFrame's rows, timed on --loop-sample accounts and scaled to N (the whole loop
  would take hours); its outputs are checked equal to the batch's for those accounts.

Prints the ratio. Usage:
.venv/bin/python benchmarks/churn_score.py [--accounts N] [--runs R] [--loop-sample S]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from tenure.churn.artifact import ChurnArtifact
from tenure.churn.candidates import GradientBoosting, Logistic
from tenure.churn.service import score_frame

NUMERIC = [
    "tenure_days", "employees", "seats", "billing_period_months", "days_to_term_end",
    "cancellation_notice", "log_arr", "events_30d", "events_90d", "peak_users_30d",
    "active_days_30d", "usage_trend_30d", "usage_trend_90d", "tickets_90d",
    "urgent_tickets_90d", "nps_mean_365d", "health_seat_utilisation", "health_login_days",
    "health_usage_trend", "health_feature_breadth", "health_days_since_last_seen",
    "health_open_tickets", "health_open_urgent_tickets", "health_time_to_resolve",
    "health_nps", "health_csat", "health_csm_sentiment", "health_payment_issues",
    "health_recent_downgrade", "health_champion_present", "health_days_since_csm_touch",
]  # fmt: skip
CATEGORICAL = ["segment", "industry", "plan"]


def generate(rows: int, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i, name in enumerate(NUMERIC):
        column = rng.gamma(1.0 + i % 4, 10.0, size=rows)
        if i % 3 == 0:
            column[rng.random(rows) < 0.15] = np.nan
        if name in ("cancellation_notice", "health_recent_downgrade", "health_champion_present"):
            column = (rng.random(rows) < 0.1).astype(float)
        data[name] = column
    data["segment"] = rng.choice(["smb", "mid_market", "enterprise"], size=rows)
    data["industry"] = rng.choice([f"industry {k}" for k in range(12)], size=rows)
    data["plan"] = rng.choice(["Starter Monthly", "Growth Annual", "Enterprise 3-year"], size=rows)
    frame = pd.DataFrame(data)
    logit = (-3 + 2.5 * frame["cancellation_notice"] - 0.05 * frame["health_login_days"].fillna(10)
             + 0.1 * frame["urgent_tickets_90d"] + (frame["segment"] == "smb") * 0.8)  # fmt: skip
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame, y


def fit(candidate: Logistic | GradientBoosting, X: pd.DataFrame, y: np.ndarray) -> ChurnArtifact:
    pipeline = candidate.build(NUMERIC, CATEGORICAL)
    pipeline.fit(X, y)
    return ChurnArtifact.fit_baseline(pipeline, X, NUMERIC, CATEGORICAL, candidate.name)


def batch(artifact: ChurnArtifact, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    return score_frame(artifact, X)


def loop(artifact: ChurnArtifact, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The baseline: one account at a time."""
    probabilities, drivers = [], []
    for i in range(len(X)):
        p, d = score_frame(artifact, X.iloc[[i]])
        probabilities.append(p[0])
        drivers.append(d[0])
    return np.asarray(probabilities), drivers


def timed(function, *args):  # type: ignore[no-untyped-def]
    """(wall seconds, result); the CPU seconds of the call are kept in CPU[-1]."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - started, result


CPU: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--loop-sample", type=int, default=300)
    args = parser.parse_args()
    X, y = generate(args.accounts)
    train = np.random.default_rng(3).choice(args.accounts, size=min(20_000, args.accounts), replace=False)
    for candidate in (Logistic(c=0.1, splines=True), GradientBoosting(learning_rate=0.05, leaves=8)):
        artifact = fit(candidate, X.iloc[train], y[train])
        batch_times, loop_times, batch_cpu = [], [], []
        sample = X.iloc[: args.loop_sample]
        for _ in range(args.runs):
            seconds, (p, drivers) = timed(batch, artifact, X)
            batch_times.append(seconds)
            batch_cpu.append(CPU[-1])
            seconds, (p_loop, drivers_loop) = timed(loop, artifact, sample)
            loop_times.append(seconds * args.accounts / len(sample))
            assert np.allclose(p_loop, p[: len(sample)]) and drivers_loop == drivers[: len(sample)]
        ours, theirs = statistics.median(batch_times), statistics.median(loop_times)
        print(f"{candidate.name}: {args.accounts:,} accounts, batch {ours:.2f} s wall, "
              f"{statistics.median(batch_cpu):.2f} s CPU (runs {', '.join(f'{t:.2f}' for t in batch_times)}); pandas loop "
              f"{theirs:,.0f} s (scaled from {len(sample)} accounts); "
              f"ratio {theirs / ours:,.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
