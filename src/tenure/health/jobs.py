"""Scheduled work of the health domain: keep today's snapshots current."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from tenure.health import service
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.worker.registry import job

log = logging.getLogger(__name__)


# Every 10 minutes the day's snapshot is re-scored in place (one row per account and day),
# so a new event, ticket or changed field shows in the score within minutes; the last
# run of a day leaves that day's final snapshot. On the demo (300 accounts) a run takes
# about a second; 100k accounts take seconds (docs/benchmarks.md, "Health scoring").
@job(
    "score-health",
    every=timedelta(minutes=10),
    max_attempts=2,
    retry_backoff=timedelta(minutes=1),
    timeout=timedelta(minutes=30),
)
def score_health(context: AppContext, scheduled_for: datetime) -> None:
    """Score every account for the slot's day (UTC) and upsert that day's snapshots. The
    day comes from the slot, not the clock, so a late or retried run of a day's last
    slot still finishes that day instead of scoring the next one twice."""
    started = time.perf_counter()
    today = scheduled_for.date()
    with unit_of_work(context.sessions) as session:
        batch = service.score_and_store(context, session, today)
    log.info("score-health: %d accounts for %s in %.2f s", len(batch), today,
             time.perf_counter() - started)
