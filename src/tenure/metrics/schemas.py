"""Metric outputs as pydantic models; keys match CONTRACT.md exactly (extras allowed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from tenure.analytics.metric_results import (
    Cmrr,
    CmrrFigures,
    EconomicsFigures,
    PeriodRetention,
    RenewalAccount,
    RenewalFigures,
    Renewals,
    RetentionFigures,
    UnitEconomics,
)
from tenure.analytics.results import CENT, RATIO, RevenueMonth, RevenueSeries

# Exact Decimals inside; JSON numbers outside (a two-decimal amount prints exactly).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Ratio = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


class RevenueMonthOut(BaseModel):
    model_config = ConfigDict(frozen=True)

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
        return cls(
            month=month_text(month.month),
            mrr=month.mrr,
            arr=month.arr,
            customers=month.customers,
            new_mrr=month.new_mrr,
            expansion_mrr=month.expansion_mrr,
            contraction_mrr=month.contraction_mrr,
            churned_mrr=month.churned_mrr,
            reactivation_mrr=month.reactivation_mrr,
            net_new_mrr=month.net_new_mrr,
            new_customers=month.new_customers,
            churned_customers=month.churned_customers,
            reactivated_customers=month.reactivated_customers,
            expanded_customers=month.expanded_customers,
            contracted_customers=month.contracted_customers,
            quick_ratio=month.quick_ratio,
        )


class RevenueSeriesOut(BaseModel):
    """`tenure metrics revenue --json` and `GET /api/v1/metrics/revenue`."""

    model_config = ConfigDict(frozen=True)

    from_month: str = Field(serialization_alias="from")
    to_month: str = Field(serialization_alias="to")
    opening_mrr: Money
    opening_customers: int
    months: list[RevenueMonthOut]

    @classmethod
    def from_result(cls, series: RevenueSeries) -> RevenueSeriesOut:
        return cls(
            from_month=month_text(series.start),
            to_month=month_text(series.end),
            opening_mrr=series.opening_mrr,
            opening_customers=series.opening_customers,
            months=[RevenueMonthOut.from_result(month) for month in series.months],
        )


def _group(by: str | None, group: str) -> str | None:
    return group if by is not None else None


class RetentionFiguresOut(BaseModel):
    """Section 3 figures of the start cohort (or of one group of it)."""

    model_config = ConfigDict(frozen=True)

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

    @staticmethod
    def values(f: RetentionFigures) -> dict[str, object]:
        names = RetentionFiguresOut.model_fields
        return {name: getattr(f, name) for name in names}


class RetentionGroupOut(RetentionFiguresOut):
    group: str


class RetentionAccountOut(BaseModel):
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
            **RetentionFiguresOut.values(result.figures),  # type: ignore[arg-type]
            groups=[RetentionGroupOut(group=g.group, **RetentionFiguresOut.values(g.figures))  # type: ignore[arg-type]
                    for g in result.groups],  # fmt: skip
            accounts=[
                RetentionAccountOut(
                    external_id=a.external_id, group=_group(result.by, a.group),
                    start_mrr=a.start_mrr, end_mrr=a.end_mrr, movement=a.movement,
                )  # fmt: skip
                for a in result.accounts
            ],
        )


class RenewalFiguresOut(BaseModel):
    model_config = ConfigDict(frozen=True)

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

    @staticmethod
    def values(f: RenewalFigures) -> dict[str, object]:
        return {name: getattr(f, name) for name in RenewalFiguresOut.model_fields}


class RenewalGroupOut(RenewalFiguresOut):
    group: str


class RenewalAccountOut(BaseModel):
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
        values = {name: getattr(account, name) for name in cls.model_fields if name != "group"}
        return cls(**values, group=_group(by, account.group))


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
            **RenewalFiguresOut.values(result.figures),  # type: ignore[arg-type]
            groups=[RenewalGroupOut(group=g.group, **RenewalFiguresOut.values(g.figures))  # type: ignore[arg-type]
                    for g in result.groups],
            accounts=[RenewalAccountOut.from_result(a, result.by) for a in result.accounts],
            pool=[PoolAccountOut(external_id=a.external_id, released_to_pool_on=a.released_to_pool_on,  # type: ignore[arg-type]
                                 last_arr=a.due_arr) for a in result.pool],
        )  # fmt: skip


class EconomicsFiguresOut(BaseModel):
    model_config = ConfigDict(frozen=True)

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

    @staticmethod
    def values(f: EconomicsFigures) -> dict[str, object]:
        values = {name: getattr(f, name) for name in EconomicsFiguresOut.model_fields}
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
            **EconomicsFiguresOut.values(result.figures),  # type: ignore[arg-type]
            groups=[EconomicsGroupOut(group=g.group, **EconomicsFiguresOut.values(g.figures))  # type: ignore[arg-type]
                    for g in result.groups],
        )  # fmt: skip


class CmrrFiguresOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    mrr: Money
    future_mrr: Money
    replaced_mrr: Money
    canceled_mrr: Money
    cmrr: Money

    @staticmethod
    def values(f: CmrrFigures) -> dict[str, object]:
        return {name: getattr(f, name) for name in CmrrFiguresOut.model_fields}


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
            **CmrrFiguresOut.values(result.figures),  # type: ignore[arg-type]
            groups=[CmrrGroupOut(group=g.group, customers=g.figures.customers,
                                 **CmrrFiguresOut.values(g.figures)) for g in result.groups],  # type: ignore[arg-type]
            accounts=[CmrrAccountOut(external_id=a.external_id, group=_group(result.by, a.group),
                                     **CmrrFiguresOut.values(a.figures)) for a in result.accounts],  # type: ignore[arg-type]
        )  # fmt: skip
