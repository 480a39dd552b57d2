"""Signals the CS team records by hand, driven by latent health with noise and lag:
the CSM's sentiment (red/yellow/green, sometimes stale) and onboarding milestones of
new customers (done late or not at all when health is weak).

Pure numpy, vectorised over accounts; no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo.health import HealthModel
from tenure.demo.randomness import sigmoid

SENTIMENTS = ("red", "yellow", "green")


@dataclass
class Sentiment:
    """Per account: index into SENTIMENTS (-1: never given) and the day it was given."""

    value: np.ndarray
    day: np.ndarray  # ordinal day, -1 when never given

    def label(self, i: int) -> str | None:
        return SENTIMENTS[int(self.value[i])] if self.value[i] >= 0 else None


def csm_sentiment(health: HealthModel, high_touch: np.ndarray, since: np.ndarray,
                  churn_day: np.ndarray, today: int, rng: np.random.Generator) -> Sentiment:
    """The CSM's latest read of each customer. High-touch CSMs record one for 92% of
    their accounts, the tech-touch pool for 30%. Most reads are recent (0-45 days before
    today or the churn day), a quarter are stale (60-240 days). The read is the health on
    that day plus N(0, 0.7) noise: above 0.2 green, above -0.9 yellow, else red."""
    n = since.size
    last = np.where((churn_day >= 0) & (churn_day <= today), churn_day - 1, today)
    stale = rng.random(n) < 0.25
    age = np.where(stale, rng.integers(60, 241, n), rng.integers(0, 46, n))
    day = last - age
    given = (since >= 0) & (day >= since) & (rng.random(n) < np.where(high_touch, 0.92, 0.3))
    read = health.at(np.arange(n), np.where(given, day, today)) + rng.normal(0, 0.7, n)
    value = np.where(read > 0.2, 2, np.where(read > -0.9, 1, 0))
    return Sentiment(np.where(given, value, -1), np.where(given, day, -1))


@dataclass
class Milestones:
    """One row per (account, milestone template) for new customers."""

    account: np.ndarray
    template: np.ndarray  # index into the templates given
    due: np.ndarray  # ordinal day
    completed: np.ndarray  # ordinal day, -1 when not done by today

    def __len__(self) -> int:
        return int(self.account.size)


ONBOARDING_WINDOW_DAYS = 120


def onboarding_milestones(health: HealthModel, since: np.ndarray, churn_day: np.ndarray,
                          template_days: tuple[int, ...], today: int,
                          rng: np.random.Generator) -> Milestones:
    """Milestones of accounts whose first paid contract started in the last 120 days,
    due `day` days after that start. A milestone is skipped with probability
    sigmoid(-2.4 - 1.6 x health at its due date); otherwise done around its due date,
    earlier when healthy: lag ~ N(-2 - 4 x health, 4) days, never before the start, and
    never before the previous milestone. Completions after today are not done yet; an
    account that churned stops completing milestones."""
    new = np.flatnonzero((since >= 0) & (today - since <= ONBOARDING_WINDOW_DAYS)
                         & (since <= today))
    k = len(template_days)
    account = np.repeat(new, k)
    template = np.tile(np.arange(k), new.size)
    due = since[account] + np.asarray(template_days, dtype=np.int64)[template]
    h = health.at(account, due)
    skipped = rng.random(account.size) < sigmoid(-2.4 - 1.6 * h)
    lag = np.rint(rng.normal(-2 - 4 * h, 4)).astype(np.int64)
    done = np.maximum(due + lag, since[account] + 1)
    done = np.maximum.accumulate(done.reshape(-1, k), axis=1).reshape(-1) if k else done
    stopped = (churn_day[account] >= 0) & (done >= churn_day[account])
    open_ = skipped | (done > today) | stopped
    return Milestones(account, template, due, np.where(open_, -1, done))
