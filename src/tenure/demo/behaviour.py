"""What latent health shows up as, month by month: support tickets, NPS and CSAT answers,
the CSM's timeline activities, and tasks.

Each is drawn per active account-month (an account with a paid term that month, within
the history window) from rates that depend on the account's health at mid-month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo import names
from tenure.demo.calendar import add_months
from tenure.demo.contracts import Terms
from tenure.demo.health import HealthModel
from tenure.demo.profile import DemoProfile
from tenure.demo.randomness import sigmoid
from tenure.models.types import ActivityKind, TicketPriority

SECONDS_PER_DAY = 86_400


@dataclass
class AccountMonths:
    """Active (account, month) pairs with the account's health at mid-month."""

    account: np.ndarray
    month: np.ndarray  # ordinal of the month's first day
    days: np.ndarray  # days of that month up to today (1..31)
    health: np.ndarray


def active_months(terms: Terms, health: HealthModel, first: int, today: int,
                  accounts: int) -> AccountMonths:
    start = np.asarray(terms.start, dtype=np.int64)
    end = np.asarray(terms.end, dtype=np.int64)
    paid = (np.asarray(terms.amount) > 0) & (start <= today)
    start, end, owner = start[paid], end[paid], np.asarray(terms.account)[paid]
    end = np.where(end < 0, today, np.minimum(end, today))
    start = np.maximum(start, first)
    keep = end > start
    start, end, owner = start[keep], end[keep], owner[keep]
    count = ((end - start) // 28 + 2).astype(np.int64)
    term = np.repeat(np.arange(start.size), count)
    step = np.arange(term.size) - np.repeat(np.cumsum(count) - count, count)
    month = add_months(start[term] - _day_of_month(start[term]), step)
    keep = (month < end[term]) & (add_months(month, 1) > start[term])
    key = np.unique(owner[term[keep]].astype(np.int64) * 10**7 + month[keep])
    account, month = key // 10**7, key % 10**7
    days = np.minimum(add_months(month, 1), today) - month
    return AccountMonths(account, month, days, health.at(account, month + days // 2))


def _day_of_month(days: np.ndarray) -> np.ndarray:
    d64 = (days - 719_163).astype("datetime64[D]")
    return (d64 - d64.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)


def _expand(months: AccountMonths, counts: np.ndarray, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat account-months by counts; return (row index, seconds since epoch day 0 of
    the ordinal calendar, health)."""
    rows = np.repeat(np.arange(counts.size), counts)
    offset = rng.random(rows.size) * months.days[rows] * SECONDS_PER_DAY
    return rows, months.month[rows] * SECONDS_PER_DAY + offset.astype(np.int64), \
        months.health[rows]


@dataclass
class Tickets:
    account: np.ndarray
    opened: np.ndarray  # seconds (ordinal day * 86400 + time of day)
    closed: np.ndarray  # -1 while open
    priority: list[str]
    status: list[str]
    subject: list[str]
    health: np.ndarray  # account health when opened


PRIORITIES = (TicketPriority.low, TicketPriority.normal, TicketPriority.high,
              TicketPriority.urgent)


def build_tickets(profile: DemoProfile, months: AccountMonths, tier: np.ndarray, now: int,
                  rng: np.random.Generator) -> Tickets:
    """More tickets, and more urgent ones, when health is low."""
    rate = np.array([t.tickets_per_month for t in profile.tiers])[tier[months.account]]
    counts = rng.poisson(rate * months.days / 30.4 * np.exp(-0.55 * months.health))
    rows, opened, h = _expand(months, counts, rng)
    urgent, high = sigmoid(-3.8 - 0.9 * h), sigmoid(-2.1 - 0.8 * h)
    u = rng.random(rows.size)
    level = np.where(u < urgent, 3, np.where(u < urgent + high, 2,
                                             np.where(u < urgent + high + 0.2, 0, 1)))
    hours = rng.lognormal(np.log(18.0) - 0.4 * (level - 1), 1.1)
    closed = opened + (hours * 3600).astype(np.int64)
    still_open = closed > now
    solved_recently = ~still_open & (closed > now - 7 * SECONDS_PER_DAY)
    status = np.where(still_open, np.where(rng.random(rows.size) < 0.3, "pending", "open"),
                      np.where(solved_recently, "solved", "closed"))
    subject = rng.integers(0, len(names.TICKET_SUBJECTS), rows.size)
    return Tickets(months.account[rows], opened, np.where(still_open, -1, closed),
                   [PRIORITIES[k].value for k in level.tolist()], status.tolist(),
                   [names.TICKET_SUBJECTS[k] for k in subject.tolist()], h)


@dataclass
class Surveys:
    account: np.ndarray
    kind: list[str]
    score: np.ndarray
    responded: np.ndarray  # seconds
    comment: list[str | None]


def _nps_comment(score: int, u: float) -> str | None:
    if u > 0.4:
        return None
    group = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    options = names.NPS_COMMENTS[group]
    return options[int(u * 10) % len(options)]


def build_surveys(months: AccountMonths, tickets: Tickets, now: int,
                  rng: np.random.Generator) -> Surveys:
    """NPS twice a year (1-3 answers per account, correlated with health, noisy);
    CSAT after a third of closed tickets (lower for unhealthy accounts and urgent tickets)."""
    wave = (months.month % 6 == (months.account % 6)) & (months.days > 20)
    counts = np.where(wave, rng.binomial(3, 0.45, months.account.size), 0)
    rows, at, h = _expand(months, counts, rng)
    nps = np.clip(np.rint(7.4 + 1.5 * h + rng.normal(0, 1.6, rows.size)), 0, 10).astype(int)
    answered = tickets.closed >= 0
    answered &= rng.random(answered.size) < 0.35
    t_at = tickets.closed[answered] + rng.integers(600, 2 * SECONDS_PER_DAY, answered.sum())
    t_at = np.minimum(t_at, now)
    t_h = tickets.health[answered]
    urgent = np.array([p in ("high", "urgent") for p in tickets.priority])[answered]
    csat_mean = 4.0 + 0.45 * t_h - 0.5 * urgent
    csat = np.clip(np.rint(csat_mean + rng.normal(0, 0.8, t_at.size)), 1, 5).astype(int)
    u = rng.random(rows.size)
    comments = [_nps_comment(s, x) for s, x in zip(nps.tolist(), u.tolist(), strict=True)]
    return Surveys(
        account=np.concatenate([months.account[rows], tickets.account[answered]]),
        kind=["nps"] * rows.size + ["csat"] * t_at.size,
        score=np.concatenate([nps, csat]),
        responded=np.concatenate([at, t_at]),
        comment=comments + [None] * t_at.size,
    )


@dataclass
class Activities:
    account: np.ndarray
    at: np.ndarray  # seconds
    kind: list[str]
    subject: list[str]


HIGH_TOUCH_MIX = {ActivityKind.note: 0.3, ActivityKind.call: 0.25,
                  ActivityKind.meeting: 0.2, ActivityKind.email: 0.25}
TECH_TOUCH_MIX = {ActivityKind.note: 0.15, ActivityKind.email: 0.85}


def build_activities(profile: DemoProfile, months: AccountMonths, tier: np.ndarray,
                     rng: np.random.Generator) -> Activities:
    """CSM touches; more of them (and risk-flavoured) when an account is unhealthy."""
    tiers = tier[months.account]
    rate = np.array([t.activities_per_month for t in profile.tiers])[tiers]
    counts = rng.poisson(rate * months.days / 30.4 * (1 + 0.6 * np.maximum(-months.health, 0)))
    rows, at, h = _expand(months, counts, rng)
    high = np.array([t.high_touch for t in profile.tiers])[tiers[rows]]
    kinds, subjects = [], []
    u, v, w = rng.random(rows.size), rng.random(rows.size), rng.random(rows.size)
    for is_high, x, y, z, health in zip(high.tolist(), u.tolist(), v.tolist(), w.tolist(),
                                        h.tolist(), strict=True):
        mix = HIGH_TOUCH_MIX if is_high else TECH_TOUCH_MIX
        kind = _pick(mix, x)
        kinds.append(kind.value)
        if health < -1.0 and z < 0.5 and kind is not ActivityKind.email:
            subjects.append(names.RISK_SUBJECTS[int(y * len(names.RISK_SUBJECTS))])
        else:
            options = names.ACTIVITY_SUBJECTS[kind.value]
            subjects.append(options[int(y * len(options))])
    return Activities(months.account[rows], at, kinds, subjects)


def _pick(mix: dict[ActivityKind, float], u: float) -> ActivityKind:
    total = 0.0
    for kind, weight in mix.items():
        total += weight
        if u < total:
            return kind
    return kind
