"""API shapes of the subscriptions domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class TermFilters(BaseModel):
    account_id: int | None = None
    plan: str | None = None
    active_on: date | None = None


class TermOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    external_id: str
    account_external_id: str
    plan: str | None
    start_date: date
    end_date: date | None
    amount: Decimal
    billing_period_months: int
    mrr: Decimal
    quantity: int | None
    currency: str
    signed_at: date | None
    canceled_at: date | None
    source: str
