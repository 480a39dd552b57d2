"""API shapes of the risk domain: rules, evaluation results, alerts, backtests."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel


class RuleOut(BaseModel):
    name: str
    title: str
    kind: str
    priority: str
    description: str
    thresholds: dict[str, Any]


class RulesOut(BaseModel):
    source: str | None
    refire_after_days: int
    rules: list[RuleOut]


class RuleCount(BaseModel):
    rule: str
    fired: int
    alerts: int
    tasks_opened: int
    already_open: int
    cooling_down: int


class EvaluationOut(BaseModel):
    as_of: date
    health_available: bool  # health scores of as_of (or up to 7 days before) were found
    fired: int
    alerts: int
    tasks_opened: int
    rules: list[RuleCount]


class AlertOut(BaseModel):
    id: int
    account_external_id: str
    rule: str
    reason: str
    fired_on: date
    inputs: dict[str, Any]
    task_id: int | None
    task_status: str | None
    owner_email: str | None


class RuleQuality(BaseModel):
    rule: str
    kind: str
    fired: int  # (account, as-of date) firings
    fired_accounts: int
    true_positives: int  # firings followed by churn within the horizon
    precision: float | None
    churners: int  # churners with at least one as-of date in the horizon before churn
    churners_flagged: int
    recall: float | None
    median_lead_days: float | None


class BacktestOut(BaseModel):
    start: date
    end: date
    points: int
    horizon_days: int
    health_available: bool
    accounts: int
    churners: int
    base_rate: float | None  # share of (paying account, as-of) pairs churning within the horizon
    rules: list[RuleQuality]
