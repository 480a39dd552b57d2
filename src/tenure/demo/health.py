"""Latent customer health: the hidden state that drives churn, usage, tickets and surveys.

h(a, d) = base(a) + drift(a, d) + decline(a, d) + dip(a, d), in standard-deviation units:

- base: a per-account random effect, N(0, 1);
- drift: a slow mean-reverting monthly random walk (AR(1)), linearly interpolated by day;
- decline: for most churners, a fall that starts 60-120 days before the churn date;
- dip: for some accounts that do not churn, a temporary fall and recovery (false alarms).

Churn decisions see base + drift only (`monthly`); the decline is added once churn dates
are known, so signals carry real but imperfect information: some churners stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo.profile import DAYS_PER_MONTH, HealthProfile


@dataclass
class HealthModel:
    origin: int  # ordinal day of knot 0
    base: np.ndarray  # (n,)
    knots: np.ndarray  # (n, months) drift at month starts
    decline_start: np.ndarray  # (n,) ordinal day, or a huge value when none
    decline_end: np.ndarray  # (n,) churn day
    decline_depth: np.ndarray  # (n,) 0 when none
    dip_center: np.ndarray
    dip_half_width: np.ndarray
    dip_depth: np.ndarray

    def monthly(self) -> np.ndarray:
        """Health before any decline at each knot: (n, months)."""
        return self.base[:, None] + self.knots

    def knot_index(self, day: int) -> int:
        return min(max(int((day - self.origin) / DAYS_PER_MONTH), 0), self.knots.shape[1] - 1)

    def at(self, accounts: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Health of accounts on days (broadcast together), vectorised."""
        accounts, days = np.broadcast_arrays(np.asarray(accounts), np.asarray(days))
        position = np.clip((days - self.origin) / DAYS_PER_MONTH, 0, self.knots.shape[1] - 1.001)
        lower = position.astype(np.int64)
        frac = position - lower
        drift = self.knots[accounts, lower] * (1 - frac) + self.knots[accounts, lower + 1] * frac
        span = np.maximum(self.decline_end[accounts] - self.decline_start[accounts], 1)
        fall = np.clip((days - self.decline_start[accounts]) / span, 0, 1)
        dip = np.clip(
            1 - np.abs(days - self.dip_center[accounts]) / self.dip_half_width[accounts], 0, 1
        )
        return (
            self.base[accounts]
            + drift
            - self.decline_depth[accounts] * fall
            - self.dip_depth[accounts] * dip
        )


NEVER = 10**7


def draw_health(n: int, origin: int, months: int, p: HealthProfile, rng: np.random.Generator
                ) -> HealthModel:
    base = rng.standard_normal(n)
    steps = rng.normal(0.0, p.drift_sd, size=(n, months))
    knots = np.zeros((n, months))
    for month in range(1, months):
        knots[:, month] = p.drift_reversion * knots[:, month - 1] + steps[:, month]
    far = np.full(n, NEVER, dtype=np.int64)
    zeros = np.zeros(n)
    return HealthModel(origin, base, knots, far.copy(), far.copy(), zeros.copy(),
                       far.copy(), np.ones(n), zeros.copy())


def add_declines(model: HealthModel, churn_day: np.ndarray, p: HealthProfile,
                 rng: np.random.Generator) -> np.ndarray:
    """Give most churners a decline before churn, some non-churners a dip. Returns the
    mask of churners with a visible decline."""
    n = churn_day.shape[0]
    churner = churn_day >= 0
    declines = churner & (rng.random(n) < p.decline_share)
    lead = rng.integers(p.decline_days[0], p.decline_days[1] + 1, size=n)
    depth = rng.uniform(*p.decline_depth, size=n)
    model.decline_start = np.where(declines, churn_day - lead, NEVER)
    model.decline_end = np.where(declines, churn_day, NEVER)
    model.decline_depth = np.where(declines, depth, 0.0)
    dips = ~churner & (rng.random(n) < p.dip_share)
    span_days = int(model.knots.shape[1] * DAYS_PER_MONTH)
    center = model.origin + rng.integers(0, span_days, size=n)
    model.dip_center = np.where(dips, center, NEVER)
    model.dip_half_width = rng.integers(*p.dip_half_width_days, size=n).astype(float)
    model.dip_depth = np.where(dips, rng.uniform(*p.dip_depth, size=n), 0.0)
    return declines
