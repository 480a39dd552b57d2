"""The worker's own maintenance jobs (no domain logic lives in tenure.worker)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.worker import service
from tenure.worker.registry import job

log = logging.getLogger(__name__)


@job(
    "vacuum-job-history",
    every=timedelta(days=1),
    # 03:15 UTC: away from the top-of-the-hour slots most domain jobs use.
    offset=timedelta(hours=3, minutes=15),
    retry_backoff=timedelta(minutes=10),
    timeout=timedelta(minutes=30),
)
def vacuum_job_history(context: AppContext, scheduled_for: datetime) -> None:
    """Delete job runs older than 90 days, keeping the newest 100 of each job."""
    # Measured from the actual time, not the slot, so a late retry forgets the same span.
    with unit_of_work(context.sessions) as session:
        removed = service.vacuum_history(session, now=utcnow())
    log.info("vacuum-job-history removed %d old job runs", removed)
