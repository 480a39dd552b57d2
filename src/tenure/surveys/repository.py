"""Queries of the surveys domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models import SurveyResponse


def plan_upsert(session: Session, records: Sequence[bulk.Record]) -> bulk.UpsertPlan:
    return bulk.plan_against_table(session, SurveyResponse, "external_id", records)


def write(session: Session, plan: bulk.UpsertPlan, batch_rows: int) -> None:
    bulk.apply_plan(session, SurveyResponse, plan, batch_rows)
