"""Retention outputs as pydantic models; `SbgOut` keys match CONTRACT.md (extras allowed).

Imports only pydantic and the result dataclasses' modules' names at type-check time, so
the CLI can import this module without loading SciPy or lifelines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from tenure.metrics.schemas import FiguresOut  # fields read off the result by name

if TYPE_CHECKING:
    from tenure.analytics.cohorts import Cohort, CohortAge, CohortTable
    from tenure.analytics.sbg import SbgCohort, SbgGroup, SbgProjection
    from tenure.analytics.survival import SurvivalCurve, SurvivalPoint, SurvivalResult

Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Ratio = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def derl_keys(values: dict[int, float], periods: int) -> dict[str, float]:
    """DERL keyed by renewals made: "0", the number n as text (e.g. "7") and the literal
    "n" (CONTRACT.md writes `{"0": ..., "n": ...}`; both readings are served)."""
    keyed = {str(k): v for k, v in sorted(values.items())}
    keyed["n"] = values[periods]
    return keyed


class SbgOut(BaseModel):
    """`tenure retention sbg --survivors ... --json` and `GET /api/v1/retention/sbg`."""

    model_config = ConfigDict(frozen=True)

    gamma: float
    delta: float
    log_likelihood: float
    warning: str | None = Field(
        default=None, description="Set when gamma and delta are not identified"
    )
    n: int = Field(description="Observed periods: survivors has n + 1 counts")
    horizon: int
    discount: float
    survivors: list[int]
    observed_survival: list[float] = Field(description="S(0..n) of the input, as fractions")
    survival: list[float] = Field(description="Fitted S(0)..S(n + horizon), as fractions")
    retention: list[float] = Field(description="Fitted r_1..r_(n + horizon)")
    derl: dict[str, float] = Field(description='By renewals made: "0", "n" and n as text')
    period_value: float | None = None
    lifetime_value: dict[str, float] | None = Field(
        default=None, description="period_value x DERL, keyed like derl"
    )

    @classmethod
    def from_result(cls, projection: SbgProjection, value: float | None = None) -> SbgOut:
        fit = projection.fit
        derl = derl_keys(projection.derl, fit.periods)
        return cls(
            gamma=fit.gamma,
            delta=fit.delta,
            log_likelihood=fit.log_likelihood,
            warning=fit.warning,
            n=fit.periods,
            horizon=projection.horizon,
            discount=projection.discount,
            survivors=list(fit.survivors),
            observed_survival=list(projection.observed_survival),
            survival=list(projection.survival),
            retention=list(projection.retention),
            derl=derl,
            period_value=value,
            lifetime_value=None if value is None else {k: value * v for k, v in derl.items()},
        )


class SbgGroupOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: str
    customers: int
    survivors: list[int]
    error: str | None = Field(description="Why no model could be fitted, else null")
    model: SbgOut | None

    @classmethod
    def from_result(cls, group: SbgGroup, value: float | None = None) -> SbgGroupOut:
        model = None if group.projection is None else SbgOut.from_result(group.projection, value)
        return cls(
            group=group.group,
            customers=group.survivors[0] if group.survivors else 0,
            survivors=list(group.survivors),
            error=group.error,
            model=model,
        )


class SbgCohortOut(BaseModel):
    """`tenure retention sbg --cohort YYYY [--by ...]` and `GET /api/v1/retention/sbg/cohort`."""

    model_config = ConfigDict(frozen=True)

    cohort: int
    as_of: str
    by: str | None
    period_months: int
    groups: list[SbgGroupOut]

    @classmethod
    def from_result(cls, result: SbgCohort, value: float | None = None) -> SbgCohortOut:
        return cls(
            cohort=result.cohort_year,
            as_of=month_text(result.as_of),
            by=result.by,
            period_months=result.period_months,
            groups=[SbgGroupOut.from_result(group, value) for group in result.groups],
        )


class CohortAgeOut(FiguresOut):
    age: int
    customers: int
    mrr: Money
    logo_retention: Ratio
    revenue_retention: Ratio

    @classmethod
    def from_result(cls, age: CohortAge) -> CohortAgeOut:
        return cls(**cls.values(age))


class CohortOut(FiguresOut):
    cohort: str
    group: str
    customers: int
    start_mrr: Money
    ages: list[CohortAgeOut]

    @classmethod
    def from_result(cls, cohort: Cohort) -> CohortOut:
        ages = [CohortAgeOut.from_result(age) for age in cohort.ages]
        return cls(**{**cls.values(cohort), "cohort": month_text(cohort.month), "ages": ages})


class CohortTableOut(BaseModel):
    """`tenure retention cohorts --json` and `GET /api/v1/retention/cohorts`."""

    model_config = ConfigDict(frozen=True)

    from_month: str = Field(serialization_alias="from")
    to_month: str = Field(serialization_alias="to")
    by: str | None
    cohorts: list[CohortOut]

    @classmethod
    def from_result(cls, table: CohortTable) -> CohortTableOut:
        return cls(
            from_month=month_text(table.start),
            to_month=month_text(table.end),
            by=table.by,
            cohorts=[CohortOut.from_result(cohort) for cohort in table.cohorts],
        )


class SurvivalPointOut(FiguresOut):
    months: int
    at_risk: int
    churned: int
    censored: int
    survival: float
    lower: float | None
    upper: float | None

    @classmethod
    def from_result(cls, point: SurvivalPoint) -> SurvivalPointOut:
        return cls(**cls.values(point))


class SurvivalCurveOut(FiguresOut):
    group: str
    customers: int
    churned: int
    censored: int
    median_months: float | None
    points: list[SurvivalPointOut]

    @classmethod
    def from_result(cls, curve: SurvivalCurve) -> SurvivalCurveOut:
        points = [SurvivalPointOut.from_result(point) for point in curve.points]
        return cls(**{**cls.values(curve), "points": points})


class SurvivalOut(BaseModel):
    """`tenure retention survival --json` and `GET /api/v1/retention/survival`."""

    model_config = ConfigDict(frozen=True)

    as_of: str
    by: str | None
    curves: list[SurvivalCurveOut]

    @classmethod
    def from_result(cls, result: SurvivalResult) -> SurvivalOut:
        return cls(
            as_of=month_text(result.as_of),
            by=result.by,
            curves=[SurvivalCurveOut.from_result(curve) for curve in result.curves],
        )
