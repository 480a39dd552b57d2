"""Scheduled work of the usage domain: keep the daily rollups current."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tenure.kit.context import AppContext
from tenure.usage import service
from tenure.worker.registry import job

log = logging.getLogger(__name__)


# Every 30 s: with the scheduler's 5 s poll an event is in the rollups within ~40 s.
# A run with nothing pending is one tiny query (docs/usage.md has measurements).
@job(
    "refresh-usage-rollups",
    every=timedelta(seconds=30),
    max_attempts=2,
    retry_backoff=timedelta(seconds=10),
    timeout=timedelta(minutes=30),
)
def refresh_usage_rollups(context: AppContext, scheduled_for: datetime) -> None:
    """Recompute the daily usage rollups of account-days with new events."""
    report = service.refresh_rollups(context.events)
    log.info(
        "refresh-usage-rollups: %s, %d account-days in %.3f s",
        "full rebuild" if report.full else "incremental",
        report.account_days,
        report.seconds,
    )
