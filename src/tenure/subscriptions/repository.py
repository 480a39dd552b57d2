"""Queries of the subscriptions domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import SubscriptionTerm


def plan_upsert(session: Session, records: Sequence[bulk.Record]) -> bulk.UpsertPlan:
    return bulk.plan_against_table(session, SubscriptionTerm, "external_id", records)


def write(session: Session, plan: bulk.UpsertPlan, batch_rows: int) -> None:
    bulk.apply_plan(session, SubscriptionTerm, plan, batch_rows)
