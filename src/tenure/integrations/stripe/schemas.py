"""Lenient pydantic views of the Stripe objects Tenure reads (unknown fields ignored).

Both API shapes are accepted: before 2025-03-31 billing periods live on the
subscription, since then on its items; invoices link their subscription either with a
top-level `subscription` or under `parent.subscription_details`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class StripeModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _id_of(value: Any) -> Any:
    """Expandable fields come as an id or as the expanded object."""
    return value.get("id") if isinstance(value, dict) else value


def day_of(timestamp: int | None) -> date | None:
    """A Unix timestamp as its UTC calendar day (terms and invoices are whole days)."""
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).date()


class EventData(StripeModel):
    object: dict[str, Any]
    previous_attributes: dict[str, Any] | None = None


class StripeEvent(StripeModel):
    id: str
    type: str
    created: int
    data: EventData
    api_version: str | None = None

    @property
    def object_id(self) -> str | None:
        value = self.data.object.get("id")
        return value if isinstance(value, str) else None


class Customer(StripeModel):
    id: str
    name: str | None = None
    email: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    created: int | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> Any:
        return value or {}

    @property
    def account_external_id(self) -> str | None:
        return (self.metadata.get("account_external_id") or "").strip() or None


class Recurring(StripeModel):
    interval: str = "month"
    interval_count: int = 1
    usage_type: str | None = None


class Price(StripeModel):
    id: str
    currency: str = "usd"
    unit_amount: int | None = None
    unit_amount_decimal: Decimal | None = None
    nickname: str | None = None
    lookup_key: str | None = None
    product: str | None = None
    recurring: Recurring | None = None

    _product = field_validator("product", mode="before")(lambda cls, v: _id_of(v))

    @property
    def minor_units(self) -> Decimal | None:
        if self.unit_amount_decimal is not None:
            return self.unit_amount_decimal
        return None if self.unit_amount is None else Decimal(self.unit_amount)

    @property
    def label(self) -> str:
        return (self.nickname or self.lookup_key or self.product or self.id)[:100]


class SubscriptionItem(StripeModel):
    id: str
    price: Price
    quantity: int | None = None
    created: int | None = None
    current_period_start: int | None = None
    current_period_end: int | None = None


class ItemList(StripeModel):
    data: list[SubscriptionItem] = Field(default_factory=list)


class Subscription(StripeModel):
    id: str
    customer: str
    status: str
    items: ItemList = Field(default_factory=ItemList)
    created: int | None = None
    start_date: int | None = None
    current_period_start: int | None = None  # before API version 2025-03-31
    current_period_end: int | None = None
    cancel_at_period_end: bool = False
    cancel_at: int | None = None
    canceled_at: int | None = None
    ended_at: int | None = None
    trial_start: int | None = None
    trial_end: int | None = None

    _customer = field_validator("customer", mode="before")(lambda cls, v: _id_of(v))

    def period_end(self, item: SubscriptionItem) -> int | None:
        return item.current_period_end or self.current_period_end


class StatusTransitions(StripeModel):
    finalized_at: int | None = None
    paid_at: int | None = None


class InvoiceLine(StripeModel):
    subscription_item: str | None = None  # before 2025-03-31
    parent: dict[str, Any] | None = None

    @property
    def item_id(self) -> str | None:
        details = (self.parent or {}).get("subscription_item_details") or {}
        return self.subscription_item or details.get("subscription_item")


class InvoiceLines(StripeModel):
    data: list[InvoiceLine] = Field(default_factory=list)


class Invoice(StripeModel):
    id: str
    customer: str
    status: str | None = None
    currency: str = "usd"
    total: int = 0
    created: int
    due_date: int | None = None
    attempt_count: int = 0
    status_transitions: StatusTransitions = Field(default_factory=StatusTransitions)
    lines: InvoiceLines = Field(default_factory=InvoiceLines)

    _customer = field_validator("customer", mode="before")(lambda cls, v: _id_of(v))

    @property
    def item_id(self) -> str | None:
        """The subscription item of the first subscription line, to link the term."""
        return next((line.item_id for line in self.lines.data if line.item_id), None)


class Change(BaseModel):
    """When a snapshot was taken (event `created`, or the sync's start) and, for webhook
    events, the attributes it changed (`data.previous_attributes`)."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    today: date
    previous: dict[str, Any] | None = None

    @property
    def day(self) -> date:
        return self.at.astimezone(UTC).date()


class Outcome(BaseModel):
    """What the webhook did with one event (the response body)."""

    received: bool = True
    event_id: str
    status: str  # processed, ignored, failed, duplicate
    reason: str | None = None


class SyncStats(BaseModel):
    customers: int = 0
    subscriptions: int = 0
    invoices: int = 0
    skipped: int = 0  # older than an event already applied
