"""Queries of the support domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import Ticket


def plan_upsert(session: Session, records: Sequence[bulk.Record]) -> bulk.UpsertPlan:
    return bulk.plan_against_table(session, Ticket, "external_id", records)


def write(session: Session, plan: bulk.UpsertPlan, batch_rows: int) -> None:
    bulk.apply_plan(session, Ticket, plan, batch_rows)
