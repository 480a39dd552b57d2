"""Subscription terms: acquisition, renewals (on time, late, very late), upsell and
downsell, add-ons, cancellation notices, churn and win-backs (METRICS.md section 1).

Each account is simulated in order with one random stream. At each renewal decision (each
month for monthly plans) the account churns with its own Beta-drawn probability, tilted
by its latent health at that moment (the sBG model with a health covariate), so churn
falls with tenure across a cohort while healthier accounts renew more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tenure.demo.calendar import add_months_one
from tenure.demo.customers import KIND_NAMES, AccountPlan
from tenure.demo.health import HealthModel
from tenure.demo.profile import CONTRACT_KINDS, DemoOptions, DemoProfile, RenewalProfile


@dataclass
class Terms:
    """Column lists, one entry per subscription term."""

    account: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)  # -1: evergreen
    amount: list[float] = field(default_factory=list)
    billing: list[int] = field(default_factory=list)
    quantity: list[int] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    signed: list[int] = field(default_factory=list)
    canceled: list[int] = field(default_factory=list)  # -1: no notice

    def add(self, account: int, start: int, end: int, amount: float, billing: int,
            quantity: int, plan: str, signed: int) -> int:
        self.account.append(account)
        self.start.append(start)
        self.end.append(end)
        self.amount.append(round(amount, 2))
        self.billing.append(billing)
        self.quantity.append(quantity)
        self.plan.append(plan)
        self.signed.append(min(signed, start))
        self.canceled.append(-1)
        return len(self.account) - 1

    def __len__(self) -> int:
        return len(self.account)


@dataclass
class ContractOutcome:
    terms: Terms
    churn_day: np.ndarray  # last churn day per account (may be after as-of), -1 none
    customer_since: np.ndarray  # first paid day, -1 if never paid
    # (renewal number, renewed) for fixed-term decisions on or before as-of
    decisions: list[tuple[int, bool]]


@dataclass
class _Account:
    """Mutable state of one account during its simulation."""

    index: int
    seats: int
    price: float
    theta_logit: float
    health: list[float]  # monthly health before any decline
    plan: str


class ContractSimulator:
    def __init__(self, profile: DemoProfile, options: DemoOptions, accounts: AccountPlan,
                 health: HealthModel, rng: np.random.Generator) -> None:
        self.profile = profile
        self.r: RenewalProfile = profile.renewal
        self.today = options.today
        self.horizon = options.today + self.r.lookahead_days
        self.accounts = accounts
        self.health = health
        self.monthly_health = health.monthly()
        self.rng = rng
        self.terms = Terms()
        self.decisions: list[tuple[int, bool]] = []

    # -- helpers ---------------------------------------------------------------------
    def _h(self, state: _Account, day: int) -> float:
        return state.health[self.health.knot_index(day)]

    def _churns(self, state: _Account, day: int) -> bool:
        x = state.theta_logit - self.profile.health.churn_tilt * self._h(state, day)
        return bool(self.rng.random() < 1.0 / (1.0 + math.exp(-x)))

    def _resize(self, state: _Account, day: int) -> None:
        h = self._h(state, day)
        up = 1 / (1 + math.exp(-(self.r.expansion_logit[0] + self.r.expansion_logit[1] * h)))
        down = 1 / (1 + math.exp(-(self.r.contraction_logit[0]
                                   + self.r.contraction_logit[1] * h)))
        u = self.rng.random()
        if u < up:
            state.seats = max(state.seats + 1, round(state.seats
                                                     * self.rng.uniform(*self.r.expansion_factor)))
        elif u < up + down:
            state.seats = max(1, round(state.seats * self.rng.uniform(*self.r.contraction_factor)))

    def _notice(self, term_ids: list[int], end: int, low: int, high: int) -> None:
        notice = end - int(self.rng.integers(low, high + 1))
        if notice <= self.today:
            for term in term_ids:
                self.terms.canceled[term] = max(notice, self.terms.start[term])

    def _delay(self) -> int:
        u = self.rng.random()
        if u < self.r.very_late_share:
            return int(self.rng.integers(31, 121))
        if u < self.r.very_late_share + self.r.late_share:
            return int(self.rng.integers(1, 31))
        return 0

    # -- fixed terms (annual, multi-year) ---------------------------------------------
    def _addon(self, state: _Account, start: int, end: int, billing: int) -> list[int]:
        years = (end - start) / 365.25
        chance = self.r.addon_rate_per_year * years / (1 + math.exp(-self._h(state, start)))
        if end - start < 150 or self.rng.random() >= chance:
            return []
        day = start + int(self.rng.integers(60, end - start - 60))
        if day > self.today:
            return []
        extra = max(1, round(state.seats * self.rng.uniform(0.1, 0.3)))
        term = self.terms.add(state.index, day, end, extra * state.price * billing / 12,
                              billing, extra, f"{state.plan} add-on seats", day)
        state.seats += extra
        return [term]

    def _fixed(self, state: _Account, start: int, months: int, billing: int) -> int:
        """Run consecutive fixed terms from `start`; return the churn day or -1."""
        renewal = 0
        signed = start - int(self.rng.integers(0, 21))
        while True:
            end = add_months_one(start, months)
            if start > self.today and signed > self.today:
                return -1
            ids = [self.terms.add(state.index, start, end, state.seats * state.price
                                  * billing / 12, billing, state.seats, state.plan, signed)]
            ids += self._addon(state, start, end, billing)
            if end > self.horizon or start > self.today:
                return -1
            if self._churns(state, end):
                if self.rng.random() < self.r.notice_share:
                    self._notice(ids, end, *self.r.notice_days)
                if end <= self.today:
                    self.decisions.append((renewal + 1, False))
                return end
            renewal += 1
            if end <= self.today:
                self.decisions.append((renewal, True))
            self._resize(state, end)
            state.price *= 1 + self.rng.uniform(*self.r.price_uplift)
            delay = self._delay()
            early = delay == 0 and self.rng.random() < self.r.early_signing_share
            signed = end - int(self.rng.integers(5, 46)) if early else end + delay
            start = end + delay

    # -- evergreen monthly ------------------------------------------------------------
    def _monthly(self, state: _Account, start: int) -> int:
        term = self.terms.add(state.index, start, -1, state.seats * state.price / 12, 1,
                              state.seats, state.plan, start)
        month = 0
        while True:
            month += 1
            day = add_months_one(start, month)
            if day > self.horizon:
                return -1
            if self._churns(state, day):
                self._notice([term], day, 1, 25)
                if day <= self.today or self.terms.canceled[term] >= 0:
                    self.terms.end[term] = day
                return day
            if day <= self.today and self.rng.random() < self.r.monthly_change_rate:
                before = state.seats
                self._resize(state, day)
                if state.seats != before:
                    self.terms.end[term] = day
                    term = self.terms.add(state.index, day, -1, state.seats * state.price / 12,
                                          1, state.seats, state.plan, day)

    # -- one account ------------------------------------------------------------------
    def simulate(self, i: int) -> tuple[int, int]:
        """Simulate account i; return (first paid day, last churn day or -1)."""
        a = self.accounts
        tier = self.profile.tiers[int(a.tier[i])]
        kind = CONTRACT_KINDS[KIND_NAMES[int(a.kind[i])]]
        seats = max(1, round(float(a.arr[i]) / float(a.price[i])))
        state = _Account(i, seats, float(a.price[i]),
                         math.log(a.churn_theta[i] / (1 - a.churn_theta[i])),
                         self.monthly_health[i].tolist(), f"{tier.plan} {kind.plan_suffix}")
        day = int(a.acquired[i])
        if a.trial[i]:
            self.terms.add(i, day, day + tier.trial_days, 0.0, 1, seats, "Trial", day)
            day += tier.trial_days
        first_paid = day
        while True:
            if kind.term_months is None:
                churn = self._monthly(state, day)
            else:
                churn = self._fixed(state, day, kind.term_months, kind.billing_months)
            if churn < 0 or churn > self.today or self.rng.random() >= self.r.winback_share:
                return first_paid, churn
            day = churn + int(self.rng.integers(*self.r.winback_days))
            if day > self.today:
                return first_paid, churn


def simulate_contracts(profile: DemoProfile, options: DemoOptions, accounts: AccountPlan,
                       health: HealthModel, rng: np.random.Generator) -> ContractOutcome:
    simulator = ContractSimulator(profile, options, accounts, health, rng)
    churn = np.full(accounts.n, -1, dtype=np.int64)
    since = np.full(accounts.n, -1, dtype=np.int64)
    for i in range(accounts.n):
        since[i], churn[i] = simulator.simulate(i)
    return ContractOutcome(simulator.terms, churn, since, simulator.decisions)
