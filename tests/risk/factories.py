"""Small fixtures written through the real operational database (risk, tasks, lifecycle)."""

from __future__ import annotations

from datetime import date, datetime, time, UTC
from decimal import Decimal
from itertools import count

from sqlalchemy.orm import Session

from tenure.models import (
    Account, Contact, Invoice, SubscriptionTerm, SurveyResponse, User,
)

_ids = count(1)


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def user(session: Session, email: str = "csm@example.com") -> User:
    row = User(email=email, name=email.split("@")[0], role="csm", password_hash="x")
    session.add(row)
    session.flush()
    return row


def account(session: Session, name: str, owner: User | None = None, **fields: object) -> Account:
    row = Account(external_id=name, name=name.title(), owner_id=owner.id if owner else None, **fields)
    session.add(row)
    session.flush()
    return row


def term(
    session: Session, acct: Account, start: date, end: date | None = None,
    amount: str = "1200", months: int = 12, quantity: int | None = None,
) -> SubscriptionTerm:
    row = SubscriptionTerm(
        external_id=f"term-{next(_ids)}", account_id=acct.id, start_date=start, end_date=end,
        amount=Decimal(amount), billing_period_months=months, quantity=quantity,
    )
    session.add(row)
    session.flush()
    return row


def contact(session: Session, acct: Account, role: str, left_at: date | None = None) -> Contact:
    n = next(_ids)
    row = Contact(
        external_id=f"c-{n}", account_id=acct.id, email=f"p{n}@example.com", role=role,
        left_at=at(left_at) if left_at else None,
    )
    session.add(row)
    session.flush()
    return row


def invoice(
    session: Session, acct: Account, issued: date, status: str, due: date | None = None,
    paid: date | None = None,
) -> Invoice:
    row = Invoice(
        external_id=f"inv-{next(_ids)}", account_id=acct.id, amount=Decimal("100"),
        issued_on=issued, due_on=due, paid_on=paid, status=status,
    )
    session.add(row)
    session.flush()
    return row


def nps(session: Session, acct: Account, score: int, day: date, kind: str = "nps") -> SurveyResponse:
    row = SurveyResponse(
        external_id=f"s-{next(_ids)}", account_id=acct.id, kind=kind, score=score,
        responded_at=at(day),
    )
    session.add(row)
    session.flush()
    return row
