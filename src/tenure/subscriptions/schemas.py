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


class TermData(BaseModel):
    """One term to write by `external_id` (integrations upsert single terms)."""

    external_id: str
    account_id: int
    plan: str | None = None
    start_date: date
    end_date: date | None = None
    amount: Decimal
    billing_period_months: int
    quantity: int | None = None
    currency: str = "USD"
    signed_at: date | None = None
    canceled_at: date | None = None
    source: str = "import"


class StoredTerm(TermData):
    """A term as stored, with its row id."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class InvoiceData(BaseModel):
    """One invoice to write by `external_id`."""

    external_id: str
    account_id: int
    subscription_id: int | None = None
    amount: Decimal
    currency: str = "USD"
    issued_on: date
    due_on: date | None = None
    paid_on: date | None = None
    status: str = "open"
