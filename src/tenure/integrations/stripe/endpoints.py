"""`POST /webhooks/stripe`: verified, idempotent Stripe webhook receiver."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from tenure.api.deps import get_context
from tenure.integrations.stripe import service
from tenure.integrations.stripe.schemas import Outcome, StripeEvent
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow

router = APIRouter(tags=["webhooks"])

# Stripe's own default: signatures older than five minutes are refused (replays).
TOLERANCE_SECONDS = 300


def _receive(context: AppContext, event: StripeEvent, payload: str) -> Outcome:
    try:
        with unit_of_work(context.sessions) as session:
            return service.receive_event(session, event, payload, utcnow())
    except IntegrityError:
        # The same event delivered twice at once: the other delivery recorded it.
        with unit_of_work(context.sessions) as session:
            if service.already_received(session, event.id):
                return Outcome(event_id=event.id, status="duplicate")
        raise


@router.post("/webhooks/stripe", response_model=Outcome)
async def stripe_webhook(
    request: Request,
    context: Annotated[AppContext, Depends(get_context)],
    stripe_signature: Annotated[str | None, Header()] = None,
) -> Outcome:
    """Apply one Stripe event. 200 for handled, ignored and repeated events; 400 for a
    bad signature or body; 503 when TENURE_STRIPE_WEBHOOK_SECRET is unset."""
    payload = await request.body()
    secret = context.settings.stripe_webhook_secret
    event = service.verify(
        payload, stripe_signature, secret.get_secret_value() if secret else None,
        TOLERANCE_SECONDS,
    )
    return await run_in_threadpool(_receive, context, event, payload.decode())
