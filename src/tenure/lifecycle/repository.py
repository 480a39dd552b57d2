"""Queries of the lifecycle domain: onboarding milestones and first contract starts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.models import Account, OnboardingMilestone, SubscriptionTerm


def milestone_frame(session: Session) -> pd.DataFrame:
    """Every milestone as account_id, due_on, completed_on."""
    rows = session.execute(
        select(
            OnboardingMilestone.account_id,
            OnboardingMilestone.due_on,
            OnboardingMilestone.completed_on,
        )
    ).all()
    return pd.DataFrame(rows, columns=["account_id", "due_on", "completed_on"])


def all_account_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Account.id).order_by(Account.id)))


def first_contract_starts(session: Session, account_ids: Sequence[int] | None = None) -> dict[int, date]:
    """account id -> start of its first paying term (amount > 0)."""
    query = (
        select(SubscriptionTerm.account_id, func.min(SubscriptionTerm.start_date))
        .where(SubscriptionTerm.amount > 0)
        .group_by(SubscriptionTerm.account_id)
    )
    if account_ids is not None:
        query = query.where(SubscriptionTerm.account_id.in_(list(account_ids)))
    return {account_id: start for account_id, start in session.execute(query)}


def planned_keys(session: Session, account_ids: Sequence[int]) -> set[tuple[int, str]]:
    rows = session.execute(
        select(OnboardingMilestone.account_id, OnboardingMilestone.key).where(
            OnboardingMilestone.account_id.in_(list(account_ids))
        )
    )
    return {(account_id, key) for account_id, key in rows}


def accounts_without_milestones(session: Session) -> list[int]:
    planned = select(OnboardingMilestone.account_id).distinct()
    return list(
        session.scalars(
            select(SubscriptionTerm.account_id)
            .where(SubscriptionTerm.amount > 0, SubscriptionTerm.account_id.not_in(planned))
            .distinct()
        )
    )


def milestones_of(session: Session, account_id: int) -> list[OnboardingMilestone]:
    return list(
        session.scalars(
            select(OnboardingMilestone)
            .where(OnboardingMilestone.account_id == account_id)
            .order_by(OnboardingMilestone.due_on)
        )
    )


def milestone(session: Session, account_id: int, key: str) -> OnboardingMilestone | None:
    return session.scalar(
        select(OnboardingMilestone).where(
            OnboardingMilestone.account_id == account_id, OnboardingMilestone.key == key
        )
    )
