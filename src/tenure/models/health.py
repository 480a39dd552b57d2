"""Health and risk: daily score snapshots, early-warning alerts, churn models and scores,
onboarding milestones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenure.models.base import Base, Timestamped


class HealthSnapshot(Timestamped, Base):
    """An account's score on one day. `measures` is a JSON list of
    {name, group, value, score, weight, contribution}, kept so history can be explained."""

    __tablename__ = "health_snapshots"
    __table_args__ = (UniqueConstraint("account_id", "as_of", name="uq_health_snapshots_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    as_of: Mapped[date] = mapped_column(Date, index=True)
    scorecard: Mapped[str] = mapped_column(String(100))
    scorecard_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)  # null when nothing could be scored
    grade: Mapped[str | None] = mapped_column(String(20))
    measures: Mapped[str] = mapped_column(Text)


class Alert(Timestamped, Base):
    """One firing of an early-warning rule, with the inputs that made it fire."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(60), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    fired_on: Mapped[date] = mapped_column(Date, index=True)
    inputs: Mapped[str] = mapped_column(Text)  # JSON object: "why did this fire"
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    dedup_key: Mapped[str] = mapped_column(String(300), index=True)


class ChurnModel(Timestamped, Base):
    """A trained, versioned churn model and its backtest metrics. The fitted estimator is
    a file under TENURE_HOME/models/."""

    __tablename__ = "churn_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    algorithm: Mapped[str] = mapped_column(String(60))
    horizon_days: Mapped[int] = mapped_column(Integer)
    trained_through: Mapped[date] = mapped_column(Date)
    features: Mapped[str] = mapped_column(Text)  # JSON list of feature names
    metrics: Mapped[str] = mapped_column(Text)  # JSON object
    artifact: Mapped[str] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)


class ChurnScore(Timestamped, Base):
    """A model's churn probability for an account on a day, with per-account drivers."""

    __tablename__ = "churn_scores"
    __table_args__ = (UniqueConstraint("account_id", "scored_on", name="uq_churn_scores_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    scored_on: Mapped[date] = mapped_column(Date, index=True)
    model_version: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    drivers: Mapped[str] = mapped_column(Text)  # JSON list of {feature, value, effect}


class OnboardingMilestone(Timestamped, Base):
    """A milestone of an account's onboarding window (METRICS.md section 8)."""

    __tablename__ = "onboarding_milestones"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_onboarding_milestones_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
