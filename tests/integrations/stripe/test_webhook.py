"""The webhook's contract: signatures (the stripe library's), 503 unconfigured, 400 for
bad bodies, 200 for ignored types, idempotency per event id, out-of-order delivery."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.kit.context import AppContext

from .conftest import Stripe
from .payloads import customer, event, item, signed, subscription


def _post(hook: Stripe, payload: str, headers: dict[str, str]) -> int:
    return hook.client.post("/webhooks/stripe", content=payload, headers=headers).status_code


def test_unconfigured_secret_answers_503(context: AppContext) -> None:
    payload, headers = signed(event("customer.created", customer(), date(2025, 1, 1)))
    with TestClient(create_app(context, run_jobs=False)) as client:
        response = client.post("/webhooks/stripe", content=payload, headers=headers)
    assert response.status_code == 503


def test_signatures_tampered_wrong_secret_missing_and_stale_are_400(stripe_hook: Stripe) -> None:
    body = event("customer.created", customer(), date(2025, 1, 1))
    payload, headers = signed(body)
    tampered = payload.replace("Acme Inc", "Evil Inc")
    assert _post(stripe_hook, tampered, headers) == 400
    assert _post(stripe_hook, *signed(body, secret="whsec_other")) == 400
    assert _post(stripe_hook, payload, {"Content-Type": "application/json"}) == 400
    assert _post(stripe_hook, payload, {"Stripe-Signature": "garbage"}) == 400
    stale = signed(body, timestamp=int(time.time()) - 301)  # beyond the 300 s tolerance
    assert _post(stripe_hook, *stale) == 400
    assert stripe_hook.accounts() == {} and stripe_hook.events() == []
    recent = signed(body, timestamp=int(time.time()) - 200)
    assert _post(stripe_hook, *recent) == 200


def test_undecodable_payload_is_400(stripe_hook: Stripe) -> None:
    assert _post(stripe_hook, *signed("{not json")) == 400
    assert _post(stripe_hook, *signed(json.dumps({"id": "evt_1"}))) == 400


def test_unhandled_types_answer_200_and_are_recorded_as_ignored(stripe_hook: Stripe) -> None:
    body = stripe_hook.send(event("charge.refunded", {"id": "ch_1", "object": "charge"}, 1))
    assert body["status"] == "ignored"
    assert [e.status for e in stripe_hook.events()] == ["ignored"]


def test_duplicate_delivery_is_applied_once(stripe_hook: Stripe) -> None:
    created = event("customer.subscription.created", subscription(), date(2025, 1, 10))
    assert stripe_hook.send(created)["status"] == "processed"
    assert stripe_hook.send(created)["status"] == "duplicate"
    assert stripe_hook.send(created)["status"] == "duplicate"
    assert len(stripe_hook.events()) == 1
    assert list(stripe_hook.terms()) == ["si_A1"]


def test_updated_before_created_keeps_the_update(stripe_hook: Stripe) -> None:
    created = event("customer.subscription.created", subscription(), date(2025, 1, 10))
    upgraded = subscription(items=[item(quantity=5)])
    updated = event("customer.subscription.updated", upgraded, date(2025, 3, 1),
                    previous={"items": {"data": [item(quantity=3)]}})
    assert stripe_hook.send(updated)["status"] == "processed"
    late = stripe_hook.send(created)
    assert late["status"] == "ignored" and "older than" in late["reason"]
    terms = stripe_hook.terms()
    assert list(terms) == ["si_A1"]
    assert terms["si_A1"].quantity == 5 and terms["si_A1"].amount == Decimal("250")
    assert stripe_hook.mrr("cus_A", date(2025, 6, 30)) == Decimal("250.00")


def test_deleted_before_updated_stays_ended(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.subscription.created", subscription(), date(2025, 1, 10)))
    ended = subscription(status="canceled", ended_at=_ts(date(2025, 5, 20)),
                         canceled_at=_ts(date(2025, 5, 20)))
    update = subscription(cancel_at_period_end=True, canceled_at=_ts(date(2025, 5, 1)))
    stripe_hook.send(event("customer.subscription.deleted", ended, date(2025, 5, 20)))
    assert stripe_hook.send(event("customer.subscription.updated", update, date(2025, 5, 1)))[
        "status"] == "ignored"
    term = stripe_hook.terms()["si_A1"]
    assert term.end_date == date(2025, 5, 20)
    assert stripe_hook.mrr("cus_A", date(2025, 4, 30)) == Decimal("150.00")
    assert stripe_hook.mrr("cus_A", date(2025, 5, 31)) == Decimal("0.00")


def test_same_second_deleted_wins_over_updated(stripe_hook: Stripe) -> None:
    moment = _ts(date(2025, 5, 20))
    ended = subscription(status="canceled", ended_at=moment, canceled_at=moment)
    stripe_hook.send(event("customer.subscription.deleted", ended, moment))
    assert stripe_hook.send(event("customer.subscription.updated", subscription(), moment))[
        "status"] == "ignored"
    assert stripe_hook.terms()["si_A1"].end_date == date(2025, 5, 20)


def test_malformed_object_is_recorded_as_failed_with_200(stripe_hook: Stripe) -> None:
    body = stripe_hook.send(event("customer.subscription.created", {"id": "sub_X"}, 1))
    assert body["status"] == "failed"
    assert stripe_hook.events()[0].error


def _ts(day: date) -> int:
    from .payloads import ts

    return ts(day)
