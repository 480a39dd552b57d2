"""Rules of the subscriptions domain: subscription terms (METRICS.md section 1)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tenure.kit.bulk import Record, UpsertPlan
from tenure.subscriptions import repository


def plan_upsert(session: Session, records: Sequence[Record]) -> UpsertPlan:
    """Split records by `external_id` into inserts, updates and unchanged rows."""
    return repository.plan_upsert(session, records)


def apply_upsert(session: Session, plan: UpsertPlan, batch_rows: int) -> None:
    """Write a plan with bulk statements; flushes, never commits."""
    repository.write(session, plan, batch_rows)
