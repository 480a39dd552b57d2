"""Pydantic shapes of the lifecycle domain."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

MilestoneStatus = Literal["done", "on_track", "behind", "stuck"]


class MilestoneOut(BaseModel):
    key: str
    name: str
    due_on: date
    completed_on: date | None
    status: MilestoneStatus
    days_past_due: int


class MilestoneComplete(BaseModel):
    completed_on: date | None = None


class PlanResult(BaseModel):
    accounts: int
    milestones_created: int
