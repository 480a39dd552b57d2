"""What the job machinery hands out: claims, run records and the per-job overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel


@dataclass(frozen=True)
class Claim:
    """One attempt of one slot, claimed by this process (its row is "running")."""

    run_id: int
    job_name: str
    scheduled_for: datetime
    attempt: int


class RunRecord(BaseModel):
    """One row of the run history."""

    id: int
    job: str
    scheduled_for: datetime
    attempt: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    error: str | None
    worker: str | None


class JobOverview(BaseModel):
    """A registered job, its schedule, its latest run and when it is next due."""

    name: str
    schedule: str
    every_seconds: float
    max_attempts: int
    timeout_seconds: float
    description: str
    last_run: RunRecord | None
    next_due: datetime
