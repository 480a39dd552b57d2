"""A Tenure app with the Stripe webhook configured, and helpers to post signed events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from tenure.api.app import create_app
from tenure.config import Settings
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import Account, IntegrationEvent, Invoice, SubscriptionTerm
from tenure.subscriptions import service as subscriptions

from .payloads import SECRET, signed


@pytest.fixture
def stripe_context(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(settings.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)}))
    yield ctx
    ctx.close()


class Stripe:
    """Posts events to the webhook and reads back what Tenure stored."""

    def __init__(self, client: TestClient, context: AppContext) -> None:
        self.client = client
        self.context = context

    def send(self, event: dict[str, Any]) -> dict[str, Any]:
        payload, headers = signed(event)
        response = self.client.post("/webhooks/stripe", content=payload, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def terms(self) -> dict[str, SubscriptionTerm]:
        with unit_of_work(self.context.sessions) as session:
            return {t.external_id: t for t in session.scalars(select(SubscriptionTerm))}

    def accounts(self) -> dict[str, Account]:
        with unit_of_work(self.context.sessions) as session:
            return {a.external_id: a for a in session.scalars(select(Account))}

    def invoices(self) -> dict[str, Invoice]:
        with unit_of_work(self.context.sessions) as session:
            return {i.external_id: i for i in session.scalars(select(Invoice))}

    def events(self) -> list[IntegrationEvent]:
        with unit_of_work(self.context.sessions) as session:
            return list(session.scalars(select(IntegrationEvent).order_by(IntegrationEvent.id)))

    def mrr(self, external_id: str, on: date) -> Decimal:
        with unit_of_work(self.context.sessions) as session:
            account_id = session.scalar(select(Account.id).where(Account.external_id == external_id))
            assert account_id is not None, f"no account {external_id}"
            return subscriptions.mrr_by_account(session, [account_id], on).get(account_id, Decimal("0.00"))


@pytest.fixture
def stripe_hook(stripe_context: AppContext) -> Iterator[Stripe]:
    with TestClient(create_app(stripe_context, run_jobs=False)) as client:
        yield Stripe(client, stripe_context)
