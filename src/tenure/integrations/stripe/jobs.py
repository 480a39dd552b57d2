"""Scheduled work of the Stripe integration."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.subscriptions import service as subscriptions
from tenure.worker.registry import job

log = logging.getLogger(__name__)


@job(
    "stripe-overdue-invoices",
    every=timedelta(days=1),
    offset=timedelta(minutes=30),  # 00:30 UTC, just after the day changes
    retry_backoff=timedelta(minutes=10),
    timeout=timedelta(minutes=30),
)
def mark_overdue_invoices(context: AppContext, scheduled_for: datetime) -> None:
    """Mark open invoices past their due date as overdue."""
    # Today's date, not the slot's: a late retry still uses the current day.
    with unit_of_work(context.sessions) as session:
        marked = subscriptions.mark_overdue_invoices(session, utcnow().date())
    log.info("stripe-overdue-invoices marked %d invoices overdue", marked)
