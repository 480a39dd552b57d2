"""Scheduled work of the risk domain: evaluate the early-warning rules daily."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.risk import service
from tenure.worker.registry import job

log = logging.getLogger(__name__)


# 02:00 UTC, after the nightly health scoring has had its slot.
@job("evaluate-early-warnings", every=timedelta(days=1), offset=timedelta(hours=2),
     timeout=timedelta(hours=2))  # fmt: skip
def evaluate_early_warnings(context: AppContext, scheduled_for: datetime) -> None:
    """Evaluate the early-warning rules for every account; open tasks for new firings."""
    with unit_of_work(context.sessions) as session:
        result = service.evaluate(context, session, scheduled_for.date())
    log.info("evaluate-early-warnings %s: %d fired, %d alerts, %d tasks opened",
             result.as_of, result.fired, result.alerts, result.tasks_opened)  # fmt: skip
