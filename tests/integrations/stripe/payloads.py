"""Realistic Stripe objects and events (trimmed to the fields Stripe sends that matter,
plus some that do not), in both API shapes: before 2025-03-31 billing periods sit on the
subscription, since then on each item."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import stripe

SECRET = "whsec_test_5bVn0t4R3alS3cr3t"
DAY = 86_400


def ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


def customer(
    cid: str = "cus_A", account: str | None = None, name: str | None = "Acme Inc",
    created: int | None = None,
) -> dict[str, Any]:
    return {
        "id": cid, "object": "customer", "name": name, "email": "billing@acme.test",
        "created": created or ts(date(2025, 1, 1)), "livemode": False, "currency": "usd",
        "metadata": {"account_external_id": account} if account else {},
        "invoice_settings": {"default_payment_method": None},
    }


def price(
    pid: str = "price_pro_monthly", unit_amount: int = 5000, interval: str = "month",
    count: int = 1, currency: str = "usd", nickname: str | None = "Pro",
) -> dict[str, Any]:
    return {
        "id": pid, "object": "price", "active": True, "currency": currency,
        "unit_amount": unit_amount, "unit_amount_decimal": str(unit_amount),
        "nickname": nickname, "product": "prod_Pro", "type": "recurring",
        "billing_scheme": "per_unit", "lookup_key": None,
        "recurring": {"interval": interval, "interval_count": count, "usage_type": "licensed",
                      "meter": None},
    }


def item(
    iid: str = "si_A1", unit_amount: int = 5000, quantity: int = 3, interval: str = "month",
    count: int = 1, currency: str = "usd", created: date = date(2025, 1, 10),
    period: tuple[date, date] | None = (date(2025, 6, 10), date(2025, 7, 10)),
    **price_args: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": iid, "object": "subscription_item", "created": ts(created), "metadata": {},
        "price": price(unit_amount=unit_amount, interval=interval, count=count,
                       currency=currency, **price_args),
        "quantity": quantity, "subscription": "sub_A", "tax_rates": [],
    }
    if period:  # API versions since 2025-03-31
        data["current_period_start"], data["current_period_end"] = map(ts, period)
    return data


def subscription(
    sid: str = "sub_A", cus: str = "cus_A", status: str = "active",
    items: list[dict[str, Any]] | None = None, start: date = date(2025, 1, 10),
    period: tuple[date, date] | None = None, **fields: Any,
) -> dict[str, Any]:
    """`period` puts billing periods on the subscription (API versions before 2025-03-31)."""
    data: dict[str, Any] = {
        "id": sid, "object": "subscription", "customer": cus, "status": status,
        "created": ts(start), "start_date": ts(start), "currency": "usd",
        "cancel_at_period_end": False, "cancel_at": None, "canceled_at": None,
        "ended_at": None, "trial_start": None, "trial_end": None, "livemode": False,
        "items": {"object": "list", "data": items if items is not None else [item()],
                  "has_more": False, "url": f"/v1/subscription_items?subscription={sid}"},
        "metadata": {},
    }
    if period:
        data["current_period_start"], data["current_period_end"] = map(ts, period)
    data.update(fields)
    return data


def invoice(
    iid: str = "in_A1", cus: str = "cus_A", status: str = "open", total: int = 15000,
    created: date = date(2025, 6, 10), due: date | None = None, paid: date | None = None,
    attempt_count: int = 0, currency: str = "usd", item_id: str = "si_A1",
    new_shape: bool = True,
) -> dict[str, Any]:
    line: dict[str, Any] = {"id": "il_1", "object": "line_item", "amount": total}
    if new_shape:
        line["parent"] = {"type": "subscription_item_details", "subscription_item_details": {
            "subscription": "sub_A", "subscription_item": item_id}}
    else:
        line["subscription_item"] = item_id
    return {
        "id": iid, "object": "invoice", "customer": cus, "status": status, "currency": currency,
        "total": total, "amount_due": total, "amount_paid": total if status == "paid" else 0,
        "created": ts(created), "due_date": ts(due) if due else None,
        "attempt_count": attempt_count, "attempted": attempt_count > 0,
        "collection_method": "send_invoice" if due else "charge_automatically",
        "status_transitions": {"finalized_at": ts(created), "paid_at": ts(paid) if paid else None,
                               "voided_at": None, "marked_uncollectible_at": None},
        "lines": {"object": "list", "data": [line], "has_more": False},
    }


_serial = iter(range(1, 10**9))


def event(
    kind: str, obj: dict[str, Any], created: int | date, eid: str | None = None,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    at = ts(created) if isinstance(created, date) else created
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    return {
        "id": eid or f"evt_{next(_serial):08d}", "object": "event", "type": kind,
        "api_version": "2025-03-31.basil", "created": at, "data": data, "livemode": False,
        "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
    }


def signed(body: dict[str, Any] | str, secret: str = SECRET, timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """(payload, headers) signed by the stripe library's own test helper."""
    payload = body if isinstance(body, str) else json.dumps(body)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}
