"""Scheduled work of the churn domain: retrain weekly, score daily (docs/churn.md)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tenure.churn import service
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.worker.registry import job

log = logging.getLogger(__name__)


# Weekly at 02:00 UTC on the epoch's weekday (Thursday); a backtest and a fit take about
# a minute on the 500-account demo (docs/churn.md).
@job("train-churn-model", every=timedelta(days=7), offset=timedelta(hours=2),
     max_attempts=2, retry_backoff=timedelta(minutes=30), timeout=timedelta(hours=2))  # fmt: skip
def train_churn_model(context: AppContext, scheduled_for: datetime) -> None:
    """Train a new churn model version on every observed snapshot and make it active."""
    with unit_of_work(context.sessions) as session:
        model = service.train(context, session, scheduled_for.date())
    auc = (model.metrics.get("model_quality") or {}).get("auc")  # type: ignore[union-attr]
    log.info("train-churn-model: v%d (%s), backtest AUC %s", model.version, model.algorithm, auc)


# Daily at 03:00 UTC, after the nightly health scores and the weekly retraining.
@job("score-churn", every=timedelta(days=1), offset=timedelta(hours=3),
     max_attempts=3, retry_backoff=timedelta(minutes=10), timeout=timedelta(hours=1))  # fmt: skip
def score_churn(context: AppContext, scheduled_for: datetime) -> None:
    """Score every paying account with the active churn model (probability and drivers)."""
    with unit_of_work(context.sessions) as session:
        report = service.score(context, session, scheduled_for.date())
    log.info("score-churn: %d accounts with v%d in %.1f s", report.accounts,
             report.model_version, report.seconds)  # fmt: skip
