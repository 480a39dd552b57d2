"""Metric outputs as pydantic models; keys match CONTRACT.md exactly (extras allowed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from tenure.analytics.metric_results import (
    Cmrr,
    PeriodRetention,
    RenewalAccount,
    Renewals,
    UnitEconomics,
)
from tenure.analytics.movements import RevenueMovements
from tenure.analytics.results import CENT, RATIO, RevenueMonth, RevenueSeries

# Exact Decimals inside; JSON numbers outside (a two-decimal amount prints exactly).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Ratio = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


class FiguresOut(BaseModel):
    """Output models of analytics figures: the fields are the figure's own attributes
    (or properties) of the same names, picked by `values`, so no model lists them twice."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def values(cls, figures: object) -> dict[str, Any]:
        """This model's fields read off `figures` (fields it does not have are left out:
        they come from the caller, e.g. a group's name)."""
        return {name: getattr(figures, name) for name in cls.model_fields if hasattr(figures, name)}

    @classmethod
    def of_groups(cls, groups: Iterable[Any]) -> list[Any]:
        """One model per breakdown group (objects with `group` and `figures`)."""
        return [cls(group=g.group, **cls.values(g.figures)) for g in groups]


class RevenueMonthOut(FiguresOut):
    month: str
    mrr: Money
    arr: Money
    customers: int
    new_mrr: Money
    expansion_mrr: Money
    contraction_mrr: Money
    churned_mrr: Money
    reactivation_mrr: Money
    net_new_mrr: Money
    new_customers: int
    churned_customers: int
    reactivated_customers: int
    expanded_customers: int
    contracted_customers: int
    quick_ratio: Ratio | None

    @classmethod
    def from_result(cls, month: RevenueMonth) -> RevenueMonthOut:
        return cls(**{**cls.values(month), "month": month_text(month.month)})


class RevenueGroupOut(BaseModel):
    """The series of one group of a breakdown (`--by`)."""

    model_config = ConfigDict(frozen=True)

    group: str
    opening_mrr: Money
    opening_customers: int
    months: list[RevenueMonthOut]


class RevenueSeriesOut(BaseModel):
    """`tenure metrics revenue --json` and `GET /api/v1/metrics/revenue`."""

    model_config = ConfigDict(frozen=True)

    from_month: str = Field(serialization_alias="from")
    to_month: str = Field(serialization_alias="to")
    opening_mrr: Money
    opening_customers: int
    months: list[RevenueMonthOut]
    by: str | None = None
    groups: list[RevenueGroupOut] = []

    @classmethod
    def from_result(cls, series: RevenueSeries) -> RevenueSeriesOut:
        return cls(
            from_month=month_text(series.start),
            to_month=month_text(series.end),
            opening_mrr=series.opening_mrr,
            opening_customers=series.opening_customers,
            months=[RevenueMonthOut.from_result(month) for month in series.months],
            by=series.by,
            groups=[
                RevenueGroupOut(
                    group=g.group, opening_mrr=g.series.opening_mrr,
                    opening_customers=g.series.opening_customers,
                    months=[RevenueMonthOut.from_result(m) for m in g.series.months],
                )  # fmt: skip
                for g in series.groups
            ],
        )


class MovementAccountOut(FiguresOut):
    month: str
    external_id: str
    group: str | None
    movement: str
    mrr_before: Money
    mrr_after: Money
    change: Money


class RevenueMovementsOut(BaseModel):
    """`tenure metrics movements --json` and `GET /api/v1/metrics/revenue/accounts`: the
    accounts behind the revenue series' movements."""

    model_config = ConfigDict(frozen=True)

    from_month: str = Field(serialization_alias="from")
    to_month: str = Field(serialization_alias="to")
    movement: str | None
    by: str | None
    accounts: list[MovementAccountOut]

    @classmethod
    def from_result(cls, result: RevenueMovements) -> RevenueMovementsOut:
        return cls(
            from_month=month_text(result.start),
            to_month=month_text(result.end),
            movement=result.movement,
            by=result.by,
            accounts=[
                MovementAccountOut(**{**MovementAccountOut.values(a), "month": month_text(a.month),
                                      "group": _group(result.by, a.group)})
                for a in result.accounts
            ],  # fmt: skip
        )


def _group(by: str | None, group: str) -> str | None:
    return group if by is not None else None


class RetentionFiguresOut(FiguresOut):
    """Section 3 figures of the start cohort (or of one group of it)."""

    start_customers: int
    start_mrr: Money
    end_mrr: Money
    retained_mrr: Money
    expansion_mrr: Money
    contraction_mrr: Money
    churned_mrr: Money
    nrr: Ratio | None
    grr: Ratio | None
    gross_mrr_churn_rate: Ratio | None
    churned_customers: int
    contracted_customers: int
    expanded_customers: int
    logo_churn_rate: Ratio | None


class RetentionGroupOut(RetentionFiguresOut):
    group: str


class RetentionAccountOut(FiguresOut):
    model_config = ConfigDict(frozen=False)

    external_id: str
    group: str | None
    start_mrr: Money
    end_mrr: Money
    movement: str


class RetentionOut(RetentionFiguresOut):
    """`tenure metrics retention --json` and `GET /api/v1/metrics/retention`."""

    from_month: str = Field(serialization_alias="from")
    to_month: str = Field(serialization_alias="to")
    by: str | None
    groups: list[RetentionGroupOut]
    accounts: list[RetentionAccountOut]

    @classmethod
    def from_result(cls, result: PeriodRetention) -> RetentionOut:
        return cls(
            from_month=month_text(result.start),
            to_month=month_text(result.end),
            by=result.by,
            **RetentionFiguresOut.values(result.figures),
            groups=RetentionGroupOut.of_groups(result.groups),
            accounts=[
                RetentionAccountOut(**{**RetentionAccountOut.values(a), "group": _group(result.by, a.group)})
                for a in result.accounts
            ],
        )


class RenewalFiguresOut(FiguresOut):
    due_customers: int
    renewed_customers: int
    pending_customers: int
    churned_customers: int
    logo_renewal_rate: Ratio | None
    due_arr: Money
    renewed_arr: Money
    gross_renewed_arr: Money
    arr_renewal_rate: Ratio | None
    gross_arr_renewal_rate: Ratio | None


class RenewalGroupOut(RenewalFiguresOut):
    group: str


class RenewalAccountOut(FiguresOut):
    model_config = ConfigDict(frozen=False)

    external_id: str
    group: str | None
    status: str
    due_arr: Money
    renewed_arr: Money
    due_terms: int
    window_closes_on: date
    released_to_pool_on: date | None

    @classmethod
    def from_result(cls, account: RenewalAccount, by: str | None) -> RenewalAccountOut:
        values = cls.values(account)
        return cls(**{**values, "group": _group(by, account.group)})


class PoolAccountOut(BaseModel):
    external_id: str
    released_to_pool_on: date
    last_arr: Money


class RenewalsOut(RenewalFiguresOut):
    """`tenure metrics renewals --json` and `GET /api/v1/metrics/renewals`."""

    from_day: date = Field(serialization_alias="from")
    to_day: date = Field(serialization_alias="to")
    as_of: date
    grace_days: int
    by: str | None
    groups: list[RenewalGroupOut]
    accounts: list[RenewalAccountOut]
    pool: list[PoolAccountOut]

    @classmethod
    def from_result(cls, result: Renewals) -> RenewalsOut:
        return cls(
            from_day=result.start, to_day=result.end, as_of=result.as_of,
            grace_days=result.grace_days, by=result.by,
            **RenewalFiguresOut.values(result.figures),
            groups=RenewalGroupOut.of_groups(result.groups),
            accounts=[RenewalAccountOut.from_result(a, result.by) for a in result.accounts],
            pool=[PoolAccountOut(external_id=a.external_id, released_to_pool_on=a.released_to_pool_on,  # type: ignore[arg-type]
                                 last_arr=a.due_arr) for a in result.pool],
        )  # fmt: skip


class EconomicsFiguresOut(FiguresOut):
    mrr: Money
    customers: int
    arpa: Money | None
    monthly_churn_rate: Ratio | None
    churn_months: int
    gross_margin: Ratio
    ltv: Money | None
    spend: Money | None
    new_customers: int
    new_mrr: Money
    cac: Money | None
    ltv_to_cac: Ratio | None
    cac_payback_months: Ratio | None

    @classmethod
    def values(cls, figures: object) -> dict[str, Any]:
        values = super().values(figures)
        arpa, churn = values["arpa"], values["monthly_churn_rate"]
        values["arpa"] = None if arpa is None else Decimal(arpa).quantize(CENT)  # type: ignore[arg-type]
        values["monthly_churn_rate"] = None if churn is None else Decimal(churn).quantize(RATIO)  # type: ignore[arg-type]
        return values


class EconomicsGroupOut(EconomicsFiguresOut):
    group: str


class EconomicsOut(EconomicsFiguresOut):
    """`tenure metrics economics --json` and `GET /api/v1/metrics/economics`."""

    from_month: str = Field(serialization_alias="from")
    to_month: str = Field(serialization_alias="to")
    by: str | None
    groups: list[EconomicsGroupOut]

    @classmethod
    def from_result(cls, result: UnitEconomics) -> EconomicsOut:
        return cls(
            from_month=month_text(result.start), to_month=month_text(result.end), by=result.by,
            **EconomicsFiguresOut.values(result.figures),
            groups=EconomicsGroupOut.of_groups(result.groups),
        )  # fmt: skip


class CmrrFiguresOut(FiguresOut):
    mrr: Money
    future_mrr: Money
    replaced_mrr: Money
    canceled_mrr: Money
    cmrr: Money


class CmrrGroupOut(CmrrFiguresOut):
    group: str
    customers: int


class CmrrAccountOut(CmrrFiguresOut):
    external_id: str
    group: str | None


class CmrrOut(CmrrFiguresOut):
    """`tenure metrics cmrr --json` and `GET /api/v1/metrics/cmrr`."""

    as_of: date
    customers: int
    by: str | None
    groups: list[CmrrGroupOut]
    accounts: list[CmrrAccountOut]

    @classmethod
    def from_result(cls, result: Cmrr) -> CmrrOut:
        return cls(
            as_of=result.as_of, customers=result.figures.customers, by=result.by,
            **CmrrFiguresOut.values(result.figures),
            groups=CmrrGroupOut.of_groups(result.groups),
            accounts=[CmrrAccountOut(external_id=a.external_id, group=_group(result.by, a.group),
                                     **CmrrFiguresOut.values(a.figures)) for a in result.accounts],
        )  # fmt: skip
