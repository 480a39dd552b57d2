"""Product usage events, vectorised with numpy in windows of days across all accounts.

Per account-day: active users ~ Binomial(seats, p), p = sigmoid(tier + slope * health)
x weekday factor x onboarding ramp (x a sampling rate q for very large demos). Each
active user-day emits one `login` and 1 + Poisson(lambda(health)) feature events; the
features an account uses widen with health and tenure (each account adopts them in its
own order). Windows come out in time order with ids `demo-{seed}-{n}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.demo.calendar import EPOCH_ORDINAL
from tenure.demo.contracts import Terms
from tenure.demo.health import HealthModel
from tenure.demo.profile import CORE_EVENTS, EVENT_CATALOG, EVENT_RANK_EXPONENT, DemoProfile
from tenure.demo.randomness import sigmoid
from tenure.usage.store import EVENT_SCHEMA

EVENT_NAMES = pa.array(("login",) + EVENT_CATALOG, pa.string())
_WEIGHTS = 1.0 / np.arange(1, len(EVENT_CATALOG) + 1) ** EVENT_RANK_EXPONENT
CUMULATIVE = np.cumsum(_WEIGHTS)
US = 1_000_000


@dataclass
class UsageInputs:
    seed: int
    first_day: int  # first day with events
    today: int  # events stop before this day
    tier: np.ndarray
    acquired: np.ndarray
    external_ids: pa.Array
    terms: Terms
    health: HealthModel


@dataclass
class _Window:
    days: np.ndarray  # (W,)
    account: np.ndarray  # (A,) accounts with a term in the window
    seats: np.ndarray  # (A, W)
    health: np.ndarray  # (A, W)


class UsageGenerator:
    def __init__(self, profile: DemoProfile, inputs: UsageInputs, rng: np.random.Generator
                 ) -> None:
        self.p = profile.usage
        self.profile = profile
        self.inputs = inputs
        self.rng = rng
        n = inputs.tier.shape[0]
        optional = len(EVENT_CATALOG) - CORE_EVENTS
        # Each account adopts optional features in its own order.
        self.order = np.argsort(rng.random((n, optional)), axis=1) + CORE_EVENTS
        self.tier_logit = np.array([t.active_rate_logit for t in profile.tiers])
        t = inputs.terms
        self.t_start = np.asarray(t.start, dtype=np.int64)
        self.t_end = np.where(np.asarray(t.end) < 0, inputs.today,
                              np.asarray(t.end, dtype=np.int64))
        self.t_account = np.asarray(t.account, dtype=np.int64)
        self.t_qty = np.asarray(t.quantity, dtype=np.int64)
        self.sample_rate = 1.0
        self.produced = 0
        # A fixed per-account offset of the reach (a hash of the index, no random draw).
        spread = (np.arange(n, dtype=np.uint64) * np.uint64(2_654_435_761)) % np.uint64(2**32)
        self.reach_offset = (spread.astype(float) / 2**32 - 0.5) * 1.2

    def expected_events(self) -> float:
        start = np.maximum(self.t_start, self.inputs.first_day)
        end = np.minimum(self.t_end, self.inputs.today)
        seat_days = float((np.maximum(end - start, 0) * self.t_qty).sum())
        p_active = float(sigmoid(self.tier_logit).mean()) * (5 + 2 * self.p.weekend_factor) / 7
        return seat_days * p_active * (2 + self.p.events_per_active_user)

    def windows(self) -> Iterator[tuple[int, int]]:
        day = self.inputs.first_day
        while day < self.inputs.today:
            yield day, min(day + self.p.window_days, self.inputs.today)
            day += self.p.window_days

    def _window(self, lo: int, hi: int) -> _Window:
        days = np.arange(lo, hi)
        live = (self.t_start < hi) & (self.t_end > lo)
        account, start, end, qty = (self.t_account[live], self.t_start[live],
                                    self.t_end[live], self.t_qty[live])
        covered = (days[None, :] >= start[:, None]) & (days[None, :] < end[:, None])
        unique, slot = np.unique(account, return_inverse=True)
        seats = np.zeros((unique.size, days.size), dtype=np.int64)
        np.add.at(seats, slot, covered * qty[:, None])
        health = self.inputs.health.at(unique[:, None], days[None, :])
        return _Window(days, unique, seats, health)

    def _active_users(self, w: _Window) -> np.ndarray:
        weekday = (w.days % 7)  # ordinal 1 (0001-01-01) is a Monday: 6 and 0 are weekend
        day_factor = np.where((weekday == 6) | (weekday == 0), self.p.weekend_factor, 1.0)
        age = w.days[None, :] - self.inputs.acquired[w.account][:, None]
        ramp = np.clip(1 - np.exp(-age / self.profile.health.onboarding_ramp_days), 0.15, 1)
        logit = self.tier_logit[self.inputs.tier[w.account]][:, None] \
            + self.p.health_slope * w.health
        p = sigmoid(logit) * day_factor[None, :] * ramp * self.sample_rate
        return self.rng.binomial(w.seats, np.clip(p, 0, 1))

    def _events(self, w: _Window, active: np.ndarray) -> tuple[np.ndarray, ...]:
        """(account, user, rank, seconds) per event; rank -1 is a login."""
        a_idx, d_idx = np.nonzero(active)
        counts = active[a_idx, d_idx]
        a_idx, d_idx = np.repeat(a_idx, counts), np.repeat(d_idx, counts)
        seats, h = w.seats[a_idx, d_idx], w.health[a_idx, d_idx]
        # Users come from the share of seats the account actually uses (its reach).
        r0, r1 = self.p.reach_logit
        reach = sigmoid(r0 + r1 * h + self.reach_offset[w.account[a_idx]])
        user = (seats * reach * self.rng.random(a_idx.size) ** self.p.power_user_skew
                ).astype(np.int64)
        lam = self.p.events_per_active_user * np.exp(self.p.events_health_slope * h)
        per_user = 2 + self.rng.poisson(lam)
        ev = np.repeat(np.arange(a_idx.size), per_user)
        first = np.cumsum(per_user) - per_user
        position = np.arange(ev.size) - first[ev]
        tenure_years = (w.days[d_idx] - self.inputs.acquired[w.account[a_idx]]) / 365.25
        b0, b1, b2 = self.p.breadth_logit
        breadth = sigmoid(b0 + b1 * h + b2 * np.log1p(np.maximum(tenure_years, 0)))
        avail = CORE_EVENTS + np.floor(breadth * (len(EVENT_CATALOG) - CORE_EVENTS + 0.999))
        draw = self.rng.random(ev.size) * CUMULATIVE[avail.astype(np.int64)[ev] - 1]
        rank = np.searchsorted(CUMULATIVE, draw, side="right")
        account = w.account[a_idx][ev]
        optional = rank >= CORE_EVENTS
        rank[optional] = self.order[account[optional], rank[optional] - CORE_EVENTS]
        rank[position == 0] = -1
        hour = np.clip(self.rng.normal(self.p.mean_hour_utc, self.p.hour_sd, a_idx.size), 0, 23)
        gaps = self.rng.exponential(240.0, ev.size)
        gaps[position == 0] = 0
        elapsed = np.cumsum(gaps)
        elapsed -= elapsed[first][ev]
        seconds = (w.days[d_idx][ev] - EPOCH_ORDINAL) * 86_400 + hour[ev] * 3600 + elapsed
        return account, user[ev], rank, seconds

    def _table(self, account: np.ndarray, user: np.ndarray, rank: np.ndarray,
               seconds: np.ndarray) -> pa.Table:
        order = np.argsort(seconds, kind="stable")
        account, user, rank = account[order], user[order], rank[order]
        micros = (seconds[order] * US).astype(np.int64)
        n = micros.size
        ids = pc.binary_join_element_wise(
            f"demo-{self.inputs.seed}", pa.array(np.arange(self.produced, self.produced + n)
                                                 ).cast(pa.string()), "-")
        self.produced += n
        received = micros + self.rng.integers(US // 2, 30 * US, n)
        acc = self.inputs.external_ids.take(pa.array(account))
        users = pc.binary_join_element_wise(acc, pa.array(user + 1).cast(pa.string()), "-u")
        return pa.table([
            ids,
            pa.array(np.full(n, "demo", dtype=object), pa.string()),
            pa.array(micros, pa.timestamp("us", tz="UTC")),
            pa.array(received, pa.timestamp("us", tz="UTC")),
            acc,
            users,
            EVENT_NAMES.take(pa.array(rank + 1)),
            pa.nulls(n, pa.string()),
        ], schema=EVENT_SCHEMA)

    def batches(self, batch_rows: int) -> Iterator[tuple[int, pa.Table]]:
        """(window end day, batch) in time order; each batch has at most batch_rows rows."""
        for lo, hi in self.windows():
            w = self._window(lo, hi)
            if w.account.size == 0:
                continue
            table = self._table(*self._events(w, self._active_users(w)))
            for offset in range(0, table.num_rows, batch_rows):
                yield hi, table.slice(offset, batch_rows)


def plan_sampling(generator: UsageGenerator, max_events: int) -> float:
    """Sample user-days when the full volume would exceed max_events."""
    expected = generator.expected_events()
    generator.sample_rate = 1.0 if expected <= max_events else max_events / expected
    return generator.sample_rate
