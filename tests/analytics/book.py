"""A generated book of business for parity tests: accounts with segments, industries,
owners and plans; annual terms renewed (or not, sometimes late), monthly evergreen terms
with cancellations, trials at zero, multi-year terms, signed future terms and spend."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from tests.metrics.ledger import Term

SEGMENTS = ("smb", "mid", "enterprise", None)
INDUSTRIES = ("retail", "software", "health", None)
OWNERS = ("ana@example.com", "bo@example.com", None)
PLANS = ("basic", "pro", "enterprise", None)


def book(accounts: int, seed: int) -> tuple[list[Term], dict[str, dict[str, str]], dict[date, str]]:
    """(terms, labels per account, spend per month) for `accounts` accounts."""
    rng = random.Random(seed)
    terms: list[Term] = []
    labels: dict[str, dict[str, str]] = {}
    for i in range(accounts):
        name = f"acc-{i:04d}"
        chosen = {"segment": rng.choice(SEGMENTS), "industry": rng.choice(INDUSTRIES),
                  "owner": rng.choice(OWNERS)}  # fmt: skip
        labels[name] = {k: v for k, v in chosen.items() if v is not None}
        terms.extend(_account_terms(rng, name))
    spend = {date(2023 + m // 12, m % 12 + 1, 1): str(rng.randrange(0, 50_000)) for m in range(36)}
    return terms, labels, spend


def _account_terms(rng: random.Random, name: str) -> list[Term]:
    start = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 900))
    plan = rng.choice(PLANS)
    if rng.random() < 0.15:  # a trial at zero first
        trial_end = start + timedelta(days=14)
        terms = [Term(name, start, trial_end, "0", plan=plan)]
        start = trial_end
    else:
        terms = []
    if rng.random() < 0.35:  # monthly, evergreen or ended, maybe with a notice
        end = None if rng.random() < 0.6 else start + timedelta(days=rng.randrange(10, 700))
        notice = None if end is None or rng.random() < 0.5 else end - timedelta(days=20)
        amount = rng.choice(["49", "99.99", "299", "1000"])
        return terms + [Term(name, start, end, amount, 1, plan=plan, canceled_at=notice)]
    months = rng.choice([12, 12, 12, 3, 24, 36])
    amount = Decimal(rng.randrange(1_000, 40_000)) / 7  # thirds, sevenths: rounding matters
    while start < date(2026, 6, 1):
        end = _add_months(start, months)
        signed = start - timedelta(days=rng.randrange(0, 60))
        terms.append(Term(name, start, end, str(amount.quantize(Decimal("0.0001"))), months,
                          plan=plan, signed_at=signed))  # fmt: skip
        if rng.random() > 0.8:
            break
        start = end + timedelta(days=rng.choice([0, 0, 0, 10, 30, 31, 60]))
        amount = amount * Decimal(rng.choice(["0.9", "1", "1", "1.1", "1.5"]))
    return terms


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))
