"""Queries of the churn domain: the raw tables the features read (pandas frames, one
query each, all accounts at once), churn_models and churn_scores.

Like the health domain, the features read other domains' tables in bulk here (a
deliberate exception to DESIGN rule 4: a model needs whole columns for every account).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import Account, ChurnModel, ChurnScore, SubscriptionTerm, SurveyResponse, Ticket


def _frame(session: Session, query: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(session.execute(query).all(), columns=list(columns))


def accounts_frame(session: Session) -> pd.DataFrame:
    columns = ["account_id", "external_id", "segment", "industry", "employees",
               "customer_since"]  # fmt: skip
    query = select(
        Account.id, Account.external_id, Account.segment, Account.industry,
        Account.employees, Account.customer_since,
    ).order_by(Account.id)  # fmt: skip
    return _frame(session, query, columns)


def terms_frame(session: Session) -> pd.DataFrame:
    t = SubscriptionTerm
    columns = ["account_id", "plan", "start_date", "end_date", "amount",
               "billing_period_months", "quantity", "canceled_at"]  # fmt: skip
    query = select(
        t.account_id, t.plan, t.start_date, t.end_date, t.amount, t.billing_period_months,
        t.quantity, t.canceled_at,
    )  # fmt: skip
    return _frame(session, query, columns)


def tickets_frame(session: Session) -> pd.DataFrame:
    query = select(Ticket.account_id, Ticket.opened_at, Ticket.closed_at, Ticket.priority)
    return _frame(session, query, ["account_id", "opened_at", "closed_at", "priority"])


def surveys_frame(session: Session) -> pd.DataFrame:
    s = SurveyResponse
    query = select(s.account_id, s.kind, s.score, s.responded_at)
    return _frame(session, query, ["account_id", "kind", "score", "responded_at"])


# ---- models ----------------------------------------------------------------------------


def next_version(session: Session) -> int:
    return int(session.scalar(select(func.max(ChurnModel.version))) or 0) + 1


def add_model(session: Session, model: ChurnModel, activate: bool) -> ChurnModel:
    if activate:
        session.execute(update(ChurnModel).values(is_active=False))
    model.is_active = activate
    session.add(model)
    session.flush()
    return model


def active_model(session: Session) -> ChurnModel | None:
    return session.scalar(select(ChurnModel).where(ChurnModel.is_active.is_(True)))


def models(session: Session) -> list[ChurnModel]:
    return list(session.scalars(select(ChurnModel).order_by(ChurnModel.version.desc())))


def activate(session: Session, version: int) -> ChurnModel | None:
    model = session.scalar(select(ChurnModel).where(ChurnModel.version == version))
    if model is not None:
        session.execute(update(ChurnModel).values(is_active=False))
        model.is_active = True
        session.flush()
    return model


# ---- scores ----------------------------------------------------------------------------


def replace_scores(session: Session, day: date, rows: Sequence[bulk.Record], batch: int) -> None:
    """The day's scores, replacing any written earlier that day (re-running is safe)."""
    session.execute(delete(ChurnScore).where(ChurnScore.scored_on == day))
    bulk.insert_rows(session, ChurnScore, rows, batch)
    session.flush()


def latest_score(session: Session, account_id: int) -> ChurnScore | None:
    query = (
        select(ChurnScore)
        .where(ChurnScore.account_id == account_id)
        .order_by(ChurnScore.scored_on.desc())
        .limit(1)
    )
    return session.scalar(query)


def account_id(session: Session, external_id: str) -> int | None:
    return session.scalar(select(Account.id).where(Account.external_id == external_id))


def external_id(session: Session, account_id: int) -> str | None:
    return session.scalar(select(Account.external_id).where(Account.id == account_id))
