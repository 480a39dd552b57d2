"""API and CLI shapes of the churn domain."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class CalibrationBinOut(BaseModel):
    low: float
    high: float
    count: int
    predicted: float  # mean predicted probability in the band
    observed: float  # observed churn rate in the band


class FoldOut(BaseModel):
    fold: int
    model: str
    rows: int
    positives: int
    auc: float | None
    pr_auc: float | None
    brier: float
    lift_top_decile: float | None


class EvaluationOut(BaseModel):
    """`tenure churn evaluate --json` (CONTRACT.md): means over the outer folds."""

    file: str
    rows: int
    positives: int
    auc: float | None
    pr_auc: float | None
    brier: float | None
    lift_top_decile: float | None
    model: str  # the candidate chosen most often by inner validation
    pooled_auc: float | None  # AUC of all out-of-fold predictions together
    numeric: list[str]
    categorical: list[str]
    dropped: list[str]  # identifier-like columns left out
    warnings: list[str]  # e.g. an --id column that is not in the file
    folds: list[FoldOut]
    calibration: list[CalibrationBinOut]


class QualityOut(BaseModel):
    rows: int
    positives: int
    auc: float | None
    pr_auc: float | None
    brier: float
    lift_top_decile: float | None


class LeadTimeOut(BaseModel):
    """Days between an account's first high-risk flag and its churn, over the churned
    accounts of the test period that were flagged before churning."""

    threshold: float  # probability at or above which an account is flagged
    churned: int
    flagged: int  # churned accounts flagged at least once before churning
    median_days: float | None
    mean_days: float | None


class BacktestOut(BaseModel):
    cutoff: date  # train on snapshots whose label window ends before, test on those after
    horizon_days: int
    snapshot_every_days: int
    train_snapshots: int
    test_snapshots: int
    model: str
    features: list[str]
    model_quality: QualityOut
    health_quality: QualityOut | None  # the health score (100 - score) as a predictor
    calibration: list[CalibrationBinOut]
    lead_time: LeadTimeOut


class DriverOut(BaseModel):
    feature: str
    value: float | str | None
    effect: float  # probability with the account's value minus with the baseline value


class AccountChurnOut(BaseModel):
    external_id: str
    scored_on: date
    model_version: int
    probability: float
    drivers: list[DriverOut]


class ModelOut(BaseModel):
    version: int
    algorithm: str
    horizon_days: int
    trained_through: date
    features: list[str]
    metrics: dict[str, object]
    artifact: str
    is_active: bool
    created_at: datetime | None


class ScoreReportOut(BaseModel):
    scored_on: date
    model_version: int
    accounts: int
    seconds: float
