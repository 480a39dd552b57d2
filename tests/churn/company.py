"""A small synthetic company written through the real operational database, with a known
churn signal: accounts that will churn open urgent tickets in the months before they go,
everyone else opens normal tickets now and then. Which accounts churn, and when, is drawn
with a fixed seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import insert

from tenure.kit.context import AppContext
from tenure.models import Account, SubscriptionTerm, Ticket

FIRST_DAY = date(2023, 1, 1)
END = date(2026, 1, 1)  # "today" of the company


@dataclass(frozen=True)
class Company:
    ids: dict[str, int]  # external id -> account id
    churn_day: dict[str, date | None]


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def write_company(context: AppContext, accounts: int = 160, seed: int = 7) -> Company:
    rng = np.random.default_rng(seed)
    accounts_rows, terms, tickets, churn = [], [], [], {}
    for i in range(accounts):
        key = f"acct-{i:04d}"
        start = FIRST_DAY + timedelta(days=int(rng.integers(0, 240)))
        churns = rng.random() < 0.4
        end = start + timedelta(days=int(rng.integers(200, 1000))) if churns else None
        end = end if end is None or end < END else None
        churn[key] = end
        accounts_rows.append({"external_id": key, "name": f"Account {i}",
                              "segment": ["smb", "mid_market"][i % 2],
                              "customer_since": _stamp(start)})  # fmt: skip
        terms.append({"external_id": f"term-{i}", "account_key": key, "start_date": start,
                      "end_date": end, "amount": Decimal(100 + 10 * (i % 7)),
                      "billing_period_months": 1, "quantity": 5 + i % 11, "plan": "Pro"})  # fmt: skip
        day = start + timedelta(days=int(rng.integers(5, 60)))
        last = min(end or END, END)
        while day < last:
            near_end = end is not None and (end - day).days <= 120
            tickets.append((key, day, "urgent" if near_end else "normal"))
            day += timedelta(days=int(rng.integers(6, 15) if near_end else rng.integers(30, 90)))
    with context.engine.begin() as connection:
        rows = connection.execute(insert(Account).returning(Account.id, Account.external_id),
                                  accounts_rows).all()  # fmt: skip
        ids = {external_id: account_id for account_id, external_id in rows}
        for term in terms:
            term["account_id"] = ids[term.pop("account_key")]
        connection.execute(insert(SubscriptionTerm), terms)
        connection.execute(insert(Ticket), [
            {"external_id": f"t-{n}", "account_id": ids[key], "opened_at": _stamp(day),
             "closed_at": _stamp(day + timedelta(days=2)), "priority": priority,
             "status": "closed"}
            for n, (key, day, priority) in enumerate(tickets)
        ])  # fmt: skip
    return Company(ids, churn)
