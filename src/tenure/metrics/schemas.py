"""Metric outputs as pydantic models; keys match CONTRACT.md exactly (extras allowed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from tenure.analytics.results import RevenueMonth, RevenueSeries

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
