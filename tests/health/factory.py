"""A small hand-made customer base on 2025-06-30 for the measure and service tests;
every expected value in the tests is computed by hand from these rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import (
    Account,
    Activity,
    Contact,
    Invoice,
    OnboardingMilestone,
    SubscriptionTerm,
    SurveyResponse,
    Ticket,
)
from tenure.usage.store import EVENT_SCHEMA

AS_OF = date(2025, 6, 30)


def at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def term(n: int, account: int, start: date, end: date | None, amount: str, period: int,
         qty: int) -> SubscriptionTerm:  # fmt: skip
    return SubscriptionTerm(external_id=f"t{n}", account_id=account, start_date=start,
                            end_date=end, amount=Decimal(amount), billing_period_months=period,
                            quantity=qty)  # fmt: skip


def ticket(n: int, opened: datetime, closed: datetime | None, priority: str = "normal") -> Ticket:
    return Ticket(external_id=f"k{n}", account_id=1, opened_at=opened, closed_at=closed,
                  priority=priority, status="closed" if closed else "open")  # fmt: skip


def survey(n: int, account: int, kind: str, score: int, when: datetime) -> SurveyResponse:
    return SurveyResponse(external_id=f"s{n}", account_id=account, kind=kind, score=score,
                          responded_at=when)  # fmt: skip


def invoice(n: int, account: int, issued: date, due: date | None, paid: date | None,
            status: str) -> Invoice:  # fmt: skip
    return Invoice(external_id=f"i{n}", account_id=account, amount=Decimal("100"),
                   issued_on=issued, due_on=due, paid_on=paid, status=status)  # fmt: skip


def seed_operational(context: AppContext) -> None:
    with unit_of_work(context.sessions) as s:
        s.add_all([
            Account(id=1, external_id="acc-1", name="One", segment="enterprise",
                    customer_since=at(2024, 1, 1), csm_sentiment="green",
                    csm_sentiment_at=at(2025, 6, 1)),
            Account(id=2, external_id="acc-2", name="Two", segment="smb",
                    customer_since=at(2024, 1, 1), csm_sentiment="red",
                    csm_sentiment_at=at(2025, 1, 1)),
            Account(id=3, external_id="acc-3", name="Prospect", segment="smb"),
        ])
        s.flush()
        s.add_all([
            term(1, 1, date(2024, 1, 1), date(2025, 9, 28), "1200", 12, 10),
            term(2, 2, date(2024, 1, 1), date(2025, 5, 1), "300", 1, 5),
            term(3, 2, date(2025, 5, 1), None, "200", 1, 5),
            ticket(1, at(2025, 6, 1), at(2025, 6, 3, 0)),
            ticket(2, at(2025, 6, 20), None, "urgent"),
            ticket(3, at(2025, 6, 25), at(2025, 7, 2), "high"),
            ticket(4, at(2025, 1, 1), at(2025, 1, 2)),
            ticket(5, at(2025, 7, 1), None, "urgent"),
            survey(1, 1, "nps", 9, at(2025, 3, 1)),
            survey(2, 1, "nps", 4, at(2025, 6, 15)),
            survey(3, 1, "nps", 10, at(2025, 7, 5)),
            survey(4, 1, "csat", 5, at(2025, 6, 1)),
            invoice(1, 1, date(2025, 5, 1), date(2025, 5, 31), None, "open"),
            invoice(2, 1, date(2025, 6, 1), date(2025, 7, 1), None, "open"),
            invoice(3, 1, date(2025, 4, 1), date(2025, 4, 30), date(2025, 5, 5), "paid"),
            invoice(4, 1, date(2025, 6, 10), date(2025, 7, 10), None, "failed"),
            invoice(5, 1, date(2025, 5, 1), date(2025, 5, 10), date(2025, 7, 3), "paid"),
            invoice(6, 2, date(2025, 6, 1), date(2025, 6, 15), date(2025, 6, 10), "paid"),
            Contact(external_id="c1", account_id=1, email="a@x", role="champion",
                    left_at=at(2025, 7, 10)),
            Contact(external_id="c2", account_id=2, email="b@x", role="champion",
                    left_at=at(2025, 6, 1)),
            Contact(external_id="c3", account_id=2, email="c@x", role="user"),
            Activity(account_id=1, kind="call", occurred_at=at(2025, 6, 20)),
            Activity(account_id=1, kind="meeting", occurred_at=at(2025, 7, 2)),
            OnboardingMilestone(account_id=1, key="kickoff", name="Kick-off",
                                due_on=date(2025, 6, 25)),
        ])  # fmt: skip


def event_rows() -> list[dict[str, object]]:
    rows: list[tuple[datetime, str, str]] = []
    for user in ("u1", "u2", "u3"):
        rows += [(at(2025, 6, 10), user, "login"), (at(2025, 6, 10), user, "report")]
    rows += [(at(2025, 6, 20), "u1", "login"), (at(2025, 6, 30, 23), "u2", "export")]
    rows += [(at(2025, 5, 15), "u1", "login"), (at(2025, 5, 15), "u1", "login")]
    rows += [(at(2025, 7, 1), f"u{i}", "login") for i in range(9)]  # after as_of
    return [
        {"message_id": f"m{i}", "source": "test", "event_time": when, "received_at": when,
         "account_external_id": "acc-1", "user_id": user, "event": name, "properties": None}
        for i, (when, user, name) in enumerate(rows)
    ]  # fmt: skip


def seed_events(context: AppContext) -> None:
    context.events.ensure_schema()
    context.events.append(pa.Table.from_pylist(event_rows(), schema=EVENT_SCHEMA))
    context.events.refresh_rollups()


def seed(context: AppContext) -> None:
    seed_operational(context)
    seed_events(context)
