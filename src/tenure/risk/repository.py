"""Queries of the risk domain: bulk frames the rules read, and the alerts table.

Like the health domain's repository, the rules read whole columns of other domains'
tables for every account in one query each (a deliberate exception to DESIGN rule 4:
the other services answer per account or per page).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tenure.models import (
    Account, Alert, Contact, Invoice, SubscriptionTerm, SurveyResponse, Task, User,
)


def _frame(session: Session, query: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(session.execute(query).all(), columns=list(columns))


def accounts_frame(session: Session) -> pd.DataFrame:
    query = select(Account.id, Account.external_id, Account.owner_id).order_by(Account.id)
    return _frame(session, query, ["account_id", "external_id", "owner_id"])


def terms_frame(session: Session) -> pd.DataFrame:
    t = SubscriptionTerm
    query = select(
        t.account_id, t.start_date, t.end_date, t.amount, t.billing_period_months, t.quantity,
        t.signed_at, t.canceled_at,
    )
    return _frame(session, query, ["account_id", "start_date", "end_date", "amount",
                                   "billing_period_months", "quantity", "signed_at",
                                   "canceled_at"])  # fmt: skip


def champions_frame(session: Session) -> pd.DataFrame:
    query = select(Contact.account_id, Contact.external_id, Contact.email, Contact.left_at).where(
        Contact.role == "champion"
    )
    return _frame(session, query, ["account_id", "external_id", "email", "left_at"])


def invoices_frame(session: Session) -> pd.DataFrame:
    i = Invoice
    query = select(i.account_id, i.external_id, i.amount, i.issued_on, i.due_on, i.paid_on, i.status)
    return _frame(session, query, ["account_id", "external_id", "amount", "issued_on",
                                   "due_on", "paid_on", "status"])  # fmt: skip


def nps_frame(session: Session) -> pd.DataFrame:
    s = SurveyResponse
    query = select(s.account_id, s.external_id, s.score, s.responded_at).where(s.kind == "nps")
    return _frame(session, query, ["account_id", "external_id", "score", "responded_at"])


def alert_keys_on(session: Session, fired_on: date) -> set[str]:
    return set(session.scalars(select(Alert.dedup_key).where(Alert.fired_on == fired_on)))


def recently_closed_keys(session: Session, keys: Sequence[str], since: date) -> set[str]:
    """Keys with a task completed or canceled on or after `since` (the re-fire cooldown)."""
    found: set[str] = set()
    keys = sorted(set(keys))
    for start in range(0, len(keys), 500):
        query = select(Task.dedup_key).where(
            Task.dedup_key.in_(keys[start : start + 500]),
            Task.status != "open",
            func.coalesce(Task.completed_at, Task.updated_at) >= since,
        )
        found.update(k for k in session.scalars(query) if k)
    return found


def add_alerts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.add_all(
        [Alert(**{**row, "inputs": json.dumps(row["inputs"], default=str)}) for row in rows]
    )
    session.flush()


def list_alerts(
    session: Session, account: str | None, rule: str | None, limit: int, offset: int
) -> tuple[list[Any], int]:
    conditions: list[Any] = []
    if account is not None:
        conditions.append(Account.external_id == account)
    if rule is not None:
        conditions.append(Alert.rule == rule)
    base = (
        select(Alert, Account.external_id, Task.status, User.email)
        .join(Account, Alert.account_id == Account.id)
        .outerjoin(Task, Alert.task_id == Task.id)
        .outerjoin(User, Task.owner_id == User.id)
        .where(*conditions)
    )
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.execute(
        base.order_by(Alert.fired_on.desc(), Alert.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total or 0)
