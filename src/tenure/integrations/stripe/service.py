"""Stripe webhook events and the API backfill: verification, idempotency, ordering,
and a registry of event types -> handlers (customers, subscriptions, invoices).

Ordering: every event carries a full snapshot of its object, so the newest snapshot
wins. An event is applied only if it is not older than the last event applied to the
same object (by Stripe's `created`, ties broken by the event type's rank: created <
updated < deleted, open < failed < paid); older snapshots are recorded as ignored.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from tenure.errors import TenureError, Unavailable
from tenure.integrations.stripe import repository
from tenure.integrations.stripe.customers import apply_customer
from tenure.integrations.stripe.invoices import apply_invoice
from tenure.integrations.stripe.schemas import (
    Change,
    Customer,
    Invoice,
    Outcome,
    StripeEvent,
    Subscription,
    SyncStats,
)
from tenure.integrations.stripe.terms import apply_subscription


class BadWebhook(TenureError):
    status = 400


@dataclass(frozen=True)
class Handler:
    """How one kind of Stripe object is applied; `rank` orders same-second events."""

    kind: str
    schema: type[BaseModel]
    apply: Callable[[Session, Any, Change], None]
    rank: int = 1


CUSTOMER = Handler("customers", Customer, apply_customer)
SUBSCRIPTION = Handler("subscriptions", Subscription, apply_subscription)
INVOICE = Handler("invoices", Invoice, apply_invoice)


def _ranked(handler: Handler, rank: int) -> Handler:
    return Handler(handler.kind, handler.schema, handler.apply, rank)


HANDLERS: dict[str, Handler] = {
    "customer.created": _ranked(CUSTOMER, 0),
    "customer.updated": CUSTOMER,
    "customer.subscription.created": _ranked(SUBSCRIPTION, 0),
    "customer.subscription.updated": SUBSCRIPTION,
    "customer.subscription.trial_will_end": SUBSCRIPTION,
    "customer.subscription.paused": SUBSCRIPTION,
    "customer.subscription.resumed": SUBSCRIPTION,
    "customer.subscription.pending_update_applied": SUBSCRIPTION,
    "customer.subscription.deleted": _ranked(SUBSCRIPTION, 3),
    "invoice.created": _ranked(INVOICE, 0),
    "invoice.finalized": INVOICE,
    "invoice.updated": INVOICE,
    "invoice.overdue": INVOICE,
    "invoice.payment_failed": _ranked(INVOICE, 2),
    "invoice.payment_succeeded": _ranked(INVOICE, 3),
    "invoice.paid": _ranked(INVOICE, 3),
    "invoice.marked_uncollectible": _ranked(INVOICE, 3),
    "invoice.voided": _ranked(INVOICE, 3),
}
EVENT_TYPES = sorted(HANDLERS)


def verify(
    payload: bytes, signature: str | None, secret: str | None, tolerance: int
) -> StripeEvent:
    """Check the `Stripe-Signature` header with the stripe library, then parse the event."""
    if not secret:
        raise Unavailable("Stripe webhooks are not configured (TENURE_STRIPE_WEBHOOK_SECRET)")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance)
        return StripeEvent.model_validate_json(payload)
    except stripe.SignatureVerificationError as error:
        raise BadWebhook(f"bad Stripe signature: {error}") from None
    except (ValidationError, UnicodeDecodeError, ValueError) as error:
        raise BadWebhook(f"undecodable Stripe event: {error}") from None


def _is_stale(session: Session, object_id: str, at: datetime, rank: int) -> str | None:
    last = repository.last_applied(session, object_id)
    if last is None:
        return None
    last_handler = HANDLERS.get(last.event_type)
    last_rank = last_handler.rank if last_handler else 1
    if (at, rank) < (last.created, last_rank):
        return f"older than {last.event_id} ({last.event_type}), already applied"
    return None


def _apply(
    session: Session, handler: Handler, data: dict[str, Any], change: Change
) -> tuple[str, str | None]:
    try:
        snapshot = handler.schema.model_validate(data)
    except ValidationError as error:  # a retry would not help: record and answer 200
        return "failed", str(error)
    handler.apply(session, snapshot, change)
    return "processed", None


def already_received(session: Session, event_id: str) -> bool:
    return repository.event_seen(session, event_id)


def receive_event(session: Session, event: StripeEvent, payload: str, now: datetime) -> Outcome:
    """Apply one verified event once. Flushes; the caller commits."""
    if repository.event_seen(session, event.id):
        return Outcome(event_id=event.id, status="duplicate")
    at = datetime.fromtimestamp(event.created, UTC)
    handler = HANDLERS.get(event.type)
    status, reason = "ignored", f"event type {event.type} is not used"
    if handler is not None and event.object_id:
        reason = _is_stale(session, event.object_id, at, handler.rank)
        if reason is None:
            change = Change(at=at, today=now.date(), previous=event.data.previous_attributes)
            status, reason = _apply(session, handler, event.data.object, change)
        else:
            status = "ignored"
    repository.record(
        session, event_id=event.id, event_type=event.type, object_id=event.object_id,
        event_created=at, received_at=now, processed_at=now, status=status, error=reason,
        payload=payload,
    )
    return Outcome(event_id=event.id, status=status, reason=reason)


SyncSource = Callable[[], Iterable[dict[str, Any]]]


def sync_objects(
    session: Session, handler: Handler, objects: Iterable[dict[str, Any]], now: datetime,
    stats: SyncStats, on_object: Callable[[str], None] | None = None,
) -> None:
    """Apply API snapshots taken at or after `now`; each is recorded like an event
    (`sync.<kind>`) so that older webhook deliveries arriving later stay ignored."""
    change = Change(at=now, today=now.date())
    for data in objects:
        object_id = str(data.get("id"))
        if _is_stale(session, object_id, now, handler.rank) is not None:
            stats.skipped += 1
            continue
        status, reason = _apply(session, handler, data, change)
        repository.record(
            session, event_id=f"sync_{uuid.uuid4().hex[:16]}_{object_id}",
            event_type=f"sync.{handler.kind}", object_id=object_id, event_created=now,
            received_at=now, processed_at=now, status=status, error=reason,
            payload=json.dumps(data, default=str),
        )
        setattr(stats, handler.kind, getattr(stats, handler.kind) + 1)
        if on_object is not None:
            on_object(handler.kind)


SYNC_ORDER = (CUSTOMER, SUBSCRIPTION, INVOICE)  # accounts first, then terms, then invoices


def sync(
    session: Session, sources: dict[str, SyncSource], now: datetime,
    on_object: Callable[[str], None] | None = None,
) -> SyncStats:
    """Backfill from the Stripe API: `sources[kind]()` lists every object of a kind."""
    stats = SyncStats()
    for handler in SYNC_ORDER:
        sync_objects(session, handler, sources[handler.kind](), now, stats, on_object)
    return stats
