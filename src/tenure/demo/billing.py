"""Invoices for every billing period of every paid term, and monthly acquisition spend.

Unhealthy accounts pay late or fail more often; spend follows new ARR at a plausible CAC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo.calendar import add_months, month_starts
from tenure.demo.contracts import Terms
from tenure.demo.health import HealthModel
from tenure.demo.profile import BillingProfile, DemoOptions
from tenure.demo.randomness import sigmoid


@dataclass
class Invoices:
    term: np.ndarray  # index into Terms
    account: np.ndarray
    amount: np.ndarray
    issued: np.ndarray
    due: np.ndarray
    paid: np.ndarray  # -1: unpaid
    status: list[str]

    def __len__(self) -> int:
        return int(self.term.shape[0])


def _issue_days(terms: Terms, today: int) -> tuple[np.ndarray, np.ndarray]:
    """(term index, issue day) for each billing period starting on or before today."""
    start = np.asarray(terms.start, dtype=np.int64)
    end = np.asarray(terms.end, dtype=np.int64)
    billing = np.asarray(terms.billing, dtype=np.int64)
    amount = np.asarray(terms.amount)
    stop = np.where(end < 0, today + 1, np.minimum(end, today + 1))
    months = np.maximum((stop - start) / 30.4375, 0)
    count = np.where((amount > 0) & (start <= today), np.ceil(months / billing) + 1, 0)
    count = count.astype(np.int64)
    term = np.repeat(np.arange(start.shape[0]), count)
    first = np.cumsum(count) - count
    period = np.arange(term.shape[0]) - np.repeat(first, count)
    issued = add_months(start[term], period * billing[term])
    keep = issued < stop[term]
    return term[keep], issued[keep]


def build_invoices(terms: Terms, health: HealthModel, options: DemoOptions,
                   p: BillingProfile, rng: np.random.Generator) -> Invoices:
    today = options.today
    term, issued = _issue_days(terms, today)
    account = np.asarray(terms.account, dtype=np.int64)[term]
    amount = np.asarray(terms.amount)[term]
    monthly = np.asarray(terms.billing, dtype=np.int64)[term] == 1
    due = issued + p.net_days
    h = health.at(account, issued)
    problem = rng.random(term.shape[0]) < sigmoid(p.problem_logit[0] + p.problem_logit[1] * h)
    delay = rng.gamma(2.0, p.net_days / 3, term.shape[0]).astype(np.int64)
    paid = issued + np.where(problem, p.net_days + 30 + delay, delay)
    settled_late = problem & (rng.random(term.shape[0]) < 0.6)
    paid = np.where(~problem | settled_late, paid, -1)
    paid = np.where(paid > today, -1, paid)
    status = np.where(paid >= 0, "paid", np.where(due < today, "overdue", "open"))
    failed = problem & (paid < 0) & monthly & (rng.random(term.shape[0])
                                               < p.failed_share_of_problems)
    status = np.where(failed, "failed", status)
    return Invoices(term, account, amount, issued, due, paid, status.tolist())


def monthly_spend(first_paid: np.ndarray, first_arr: np.ndarray, first: int,
                  options: DemoOptions, p: BillingProfile, rng: np.random.Generator
                  ) -> list[tuple[int, float]]:
    """(month start, spend): spend leads acquisition (half this month's new ARR, half
    next month's) at `cac_ratio` per dollar of new ARR, plus a steady base and noise."""
    months = month_starts(first, options.today)
    bounds = np.array(months + [options.today + 10**6])
    which = np.searchsorted(bounds, first_paid[first_paid >= 0], side="right") - 1
    new_arr = np.bincount(which, weights=first_arr[first_paid >= 0], minlength=len(months))
    new_arr = new_arr[: len(months)]
    leading = 0.5 * new_arr + 0.5 * np.append(new_arr[1:], new_arr[-1])
    base = p.base_spend_share * leading.mean()
    noise = np.exp(rng.normal(0, p.spend_noise_sd, len(months)))
    spend = (p.cac_ratio * (1 - p.base_spend_share) * leading + base) * noise
    return [(month, round(float(value), 2)) for month, value in zip(months, spend, strict=True)]
