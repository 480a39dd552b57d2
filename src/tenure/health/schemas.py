"""Typed shapes of the health domain (API, CLI --json and what other domains receive)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field


def clean(value: Any) -> Any:
    """NaN/None -> None; numpy scalars -> Python floats, rounded for display."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 4)


class MeasureScoreOut(BaseModel):
    name: str
    group: str
    value: float | None
    score: float | None
    weight: float  # effective share of the overall score (0..1); 0 when missing
    contribution: float  # points of the overall score


class AccountScoreOut(BaseModel):
    account_id: int
    external_id: str
    score: float | None
    grade: str | None
    scorecard: str
    scorecard_version: int
    pulling_down: str | None
    measures: list[MeasureScoreOut]


class HealthScoreOut(BaseModel):
    as_of: date
    accounts: list[AccountScoreOut]


@dataclass(frozen=True)
class ScoreSummary:
    """What the early-warning rules and pages need about one account's health."""

    account_id: int
    as_of: date
    score: float | None
    grade: str | None
    scorecard: str
    score_7d_ago: float | None
    score_30d_ago: float | None
    grade_7d_ago: str | None
    grade_30d_ago: str | None
    pulling_down: str | None

    @property
    def change_7d(self) -> float | None:
        return _delta(self.score, self.score_7d_ago)

    @property
    def change_30d(self) -> float | None:
        return _delta(self.score, self.score_30d_ago)


def _delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 4)


class HistoryPointOut(BaseModel):
    as_of: date
    score: float | None
    grade: str | None
    scorecard: str


class AccountHealthOut(BaseModel):
    """Account explanation, trend and history (account 360, `tenure health show`)."""

    external_id: str
    as_of: date
    score: float | None
    grade: str | None
    scorecard: str
    scorecard_version: int
    pulling_down: str | None
    change_7d: float | None
    change_30d: float | None
    measures: list[MeasureScoreOut]
    history: list[HistoryPointOut]


class ChangeOut(BaseModel):
    external_id: str
    score_before: float | None
    score_now: float | None
    change: float | None
    grade_before: str | None
    grade_now: str | None
    grade_changed: bool


class ChangesOut(BaseModel):
    as_of: date
    since: date
    changes: list[ChangeOut]


class ScoreListOut(BaseModel):
    as_of: date | None
    total: int
    items: list[AccountScoreOut]


class ScorecardInfoOut(BaseModel):
    name: str
    version: int
    order: int
    description: str
    match: dict[str, Any]
    versions: list[int]


class PreviewOut(BaseModel):
    """Scoring with a proposed scorecard against the saved one, without saving."""

    as_of: date
    accounts: int = Field(description="accounts the proposed scorecard applies to")
    before: dict[str, Any]
    after: dict[str, Any]


class RescoreOut(BaseModel):
    start: date
    end: date
    days: int
    snapshots: int
