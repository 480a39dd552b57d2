"""Queries of the health domain: the raw tables measures read (as pandas frames, one
query each, all accounts at once) and the health_snapshots table.

Reading the operational tables in bulk here, instead of through each domain's service,
is a deliberate exception to DESIGN rule 4: a measure needs whole columns for every
account, and the other services answer per account or per page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from tenure.models import (
    Account,
    Activity,
    Contact,
    HealthSnapshot,
    Invoice,
    SubscriptionTerm,
    SurveyResponse,
    Ticket,
)


def _frame(session: Session, query: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    rows = session.execute(query).all()
    return pd.DataFrame(rows, columns=list(columns))


def accounts_frame(session: Session) -> pd.DataFrame:
    columns = ["account_id", "external_id", "segment", "lifecycle_stage", "customer_since",
               "csm_sentiment", "csm_sentiment_at"]  # fmt: skip
    query = select(
        Account.id, Account.external_id, Account.segment, Account.lifecycle_stage,
        Account.customer_since, Account.csm_sentiment, Account.csm_sentiment_at,
    ).order_by(Account.id)  # fmt: skip
    return _frame(session, query, columns)


def terms_frame(session: Session) -> pd.DataFrame:
    columns = ["account_id", "start_date", "end_date", "amount", "billing_period_months",
               "quantity", "canceled_at"]  # fmt: skip
    query = select(
        SubscriptionTerm.account_id, SubscriptionTerm.start_date, SubscriptionTerm.end_date,
        SubscriptionTerm.amount, SubscriptionTerm.billing_period_months,
        SubscriptionTerm.quantity, SubscriptionTerm.canceled_at,
    )  # fmt: skip
    return _frame(session, query, columns)


def tickets_frame(session: Session, cutoff: datetime, since: datetime) -> pd.DataFrame:
    """Tickets opened before `cutoff` and not closed before `since`: those open at the
    cutoff and those closed in [since, cutoff) (and later), nothing older."""
    query = select(Ticket.account_id, Ticket.opened_at, Ticket.closed_at, Ticket.priority).where(
        Ticket.opened_at < cutoff, or_(Ticket.closed_at.is_(None), Ticket.closed_at >= since)
    )
    return _frame(session, query, ["account_id", "opened_at", "closed_at", "priority"])


def surveys_frame(session: Session, cutoff: datetime) -> pd.DataFrame:
    """Each account's latest answer of each kind given before `cutoff`."""
    known = SurveyResponse.responded_at < cutoff
    latest = (
        select(SurveyResponse.account_id, SurveyResponse.kind,
               func.max(SurveyResponse.responded_at).label("at"))
        .where(known).group_by(SurveyResponse.account_id, SurveyResponse.kind).subquery()
    )  # fmt: skip
    query = select(
        SurveyResponse.account_id, SurveyResponse.kind, SurveyResponse.score,
        SurveyResponse.responded_at,
    ).join(latest, and_(
        SurveyResponse.account_id == latest.c.account_id, SurveyResponse.kind == latest.c.kind,
        SurveyResponse.responded_at == latest.c.at,
    ))  # fmt: skip
    return _frame(session, query, ["account_id", "kind", "score", "responded_at"])


def unpaid_invoices_frame(session: Session, as_of: date) -> pd.DataFrame:
    """Invoices issued by `as_of`, not void or draft, and not paid by then."""
    query = select(
        Invoice.account_id, Invoice.issued_on, Invoice.due_on, Invoice.paid_on, Invoice.status
    ).where(
        Invoice.issued_on <= as_of, Invoice.status.not_in(["void", "draft"]),
        or_(Invoice.paid_on.is_(None), Invoice.paid_on > as_of),
    )  # fmt: skip
    return _frame(session, query, ["account_id", "issued_on", "due_on", "paid_on", "status"])


def invoiced_accounts(session: Session, as_of: date) -> pd.Series:
    query = select(Invoice.account_id).where(Invoice.issued_on <= as_of).distinct()
    return pd.Series(session.scalars(query).all(), dtype="int64")


def champions_frame(session: Session) -> pd.DataFrame:
    query = select(Contact.account_id, Contact.left_at).where(Contact.role == "champion")
    return _frame(session, query, ["account_id", "left_at"])


def last_touches_frame(session: Session, kinds: Sequence[str], cutoff: datetime) -> pd.DataFrame:
    """Per account, its latest activity of the given kinds before `cutoff`."""
    query = (
        select(Activity.account_id, func.max(Activity.occurred_at))
        .where(Activity.kind.in_(kinds), Activity.occurred_at < cutoff)
        .group_by(Activity.account_id)
    )
    return _frame(session, query, ["account_id", "occurred_at"])


# ---- snapshots -------------------------------------------------------------------------


def upsert_snapshots(session: Session, as_of: date, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the day's snapshots of the given accounts (one per account and day)."""
    ids = [row["account_id"] for row in rows]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        session.execute(
            delete(HealthSnapshot).where(
                HealthSnapshot.as_of == as_of, HealthSnapshot.account_id.in_(chunk)
            )
        )
    if rows:
        session.execute(
            HealthSnapshot.__table__.insert(),
            [{**row, "as_of": as_of, "measures": json.dumps(row["measures"])} for row in rows],
        )
    session.flush()


def scores_on(session: Session, day: date) -> dict[int, tuple[float | None, str | None]]:
    rows = session.execute(
        select(HealthSnapshot.account_id, HealthSnapshot.score, HealthSnapshot.grade).where(
            HealthSnapshot.as_of == day
        )
    )
    return {account_id: (score, grade) for account_id, score, grade in rows}


def latest_day(session: Session, on_or_before: date) -> date | None:
    return session.scalar(
        select(func.max(HealthSnapshot.as_of)).where(HealthSnapshot.as_of <= on_or_before)
    )


def snapshots_on(session: Session, day: date) -> list[HealthSnapshot]:
    return list(
        session.scalars(
            select(HealthSnapshot).where(HealthSnapshot.as_of == day)
            .order_by(HealthSnapshot.account_id)
        )
    )  # fmt: skip


def page_of_day(
    session: Session, day: date, grade: str | None, scorecard: str | None,
    below: float | None, limit: int, offset: int,
) -> tuple[list[HealthSnapshot], int]:  # fmt: skip
    """One page of a day's snapshots, lowest score first (unscored last), and the total."""
    where = [HealthSnapshot.as_of == day]
    if grade is not None:
        where.append(HealthSnapshot.grade == grade)
    if scorecard is not None:
        where.append(HealthSnapshot.scorecard == scorecard)
    if below is not None:
        where.append(HealthSnapshot.score < below)
    total = session.scalar(select(func.count()).select_from(HealthSnapshot).where(*where)) or 0
    rows = session.scalars(
        select(HealthSnapshot).where(*where)
        .order_by(HealthSnapshot.score.is_(None), HealthSnapshot.score, HealthSnapshot.account_id)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return list(rows), total


def account_history(
    session: Session, account_id: int, start: date, end: date
) -> list[HealthSnapshot]:
    return list(
        session.scalars(
            select(HealthSnapshot)
            .where(
                HealthSnapshot.account_id == account_id,
                HealthSnapshot.as_of >= start,
                HealthSnapshot.as_of <= end,
            )
            .order_by(HealthSnapshot.as_of)
        )
    )


def account_by_external_id(session: Session, external_id: str) -> tuple[int, str] | None:
    row = session.execute(
        select(Account.id, Account.external_id).where(Account.external_id == external_id)
    ).first()
    return (row[0], row[1]) if row else None


def external_ids(session: Session, ids: Sequence[int] | None = None) -> dict[int, str]:
    query = select(Account.id, Account.external_id)
    if ids is not None:
        query = query.where(Account.id.in_(list(ids)))
    return dict(session.execute(query).all())
