"""Scheduled work of the lifecycle domain: plan onboarding milestones for new customers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.lifecycle import service
from tenure.worker.registry import job

log = logging.getLogger(__name__)


@job("plan-onboarding-milestones", every=timedelta(hours=1))
def plan_onboarding_milestones(context: AppContext, scheduled_for: datetime) -> None:
    """Plan onboarding milestones for paying accounts that have none yet."""
    with unit_of_work(context.sessions) as session:
        result = service.plan_new_customers(session)
    log.info("plan-onboarding-milestones: %d milestones for %d accounts",
             result.milestones_created, result.accounts)  # fmt: skip
