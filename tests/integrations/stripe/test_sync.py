"""`tenure stripe sync` against a fake Stripe API, through the official client library and
through the real console script; then webhooks older than the sync stay ignored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr

from tenure.config import Settings
from tenure.errors import Invalid
from tenure.integrations.stripe import service
from tenure.integrations.stripe.client import StripeApi
from tenure.kit.db import unit_of_work
from tests.cli_runner import run_tenure

from .conftest import Stripe
from .fake_stripe import API_KEY, FakeStripe, running
from .payloads import customer, event, invoice, item, subscription, ts


def _world() -> FakeStripe:
    return FakeStripe(objects={
        "customers": [customer("cus_A", name="Acme"), customer("cus_B", account="bolt-crm", name="Bolt"),
                      customer("cus_C", name="Cyan")],
        "subscriptions": [
            subscription("sub_A", "cus_A"),
            subscription("sub_B", "cus_B", items=[item("si_B1", unit_amount=120000, quantity=1,
                                                       interval="year", period=None)],
                         period=(date(2025, 1, 10), date(2026, 1, 10))),
            subscription("sub_C", "cus_C", status="canceled", items=[item("si_C1")],
                         ended_at=ts(date(2025, 3, 1)), canceled_at=ts(date(2025, 3, 1))),
        ],
        "invoices": [invoice("in_1", "cus_A", status="paid", paid=date(2025, 6, 10)),
                     invoice("in_2", "cus_B", status="open", total=120000, item_id="si_B1",
                             due=date(2025, 6, 1), new_shape=False),
                     invoice("in_3", "cus_C", status="void", item_id="si_C1")],
    })


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with running(_world()) as server:
        yield server


def _bolt(stripe_hook: Stripe) -> None:
    with unit_of_work(stripe_hook.context.sessions) as session:
        from tenure.accounts import service as accounts

        accounts.ensure_account(session, "bolt-crm", "Bolt GmbH")


def test_sync_pages_through_every_list(stripe_hook: Stripe, fake: FakeStripe) -> None:
    _bolt(stripe_hook)
    api = StripeApi(API_KEY, fake.base)
    now = datetime(2025, 6, 15, 9, tzinfo=UTC)
    with unit_of_work(stripe_hook.context.sessions) as session:
        stats = service.sync(session, api.sources(), now)
    assert (stats.customers, stats.subscriptions, stats.invoices, stats.skipped) == (3, 3, 3, 0)
    pages = [query.get("starting_after") for path, query in fake.requests if path == "/v1/customers"]
    assert pages == [None, "cus_B"]
    assert {q.get("status") for p, q in fake.requests if p == "/v1/subscriptions"} == {"all"}
    terms = stripe_hook.terms()
    assert terms["si_C1"].end_date == date(2025, 3, 1)
    assert terms["si_B1"].account_id == stripe_hook.accounts()["bolt-crm"].id
    assert stripe_hook.mrr("cus_A", date(2025, 6, 30)) == Decimal("150.00")
    assert stripe_hook.mrr("bolt-crm", date(2025, 6, 30)) == Decimal("100.00")
    invoices = stripe_hook.invoices()
    assert {k: v.status for k, v in invoices.items()} == {"in_1": "paid", "in_2": "overdue",
                                                          "in_3": "void"}
    assert invoices["in_2"].subscription_id == terms["si_B1"].id
    # A webhook created before the sync, delivered after it, is older than what sync saw.
    old = subscription("sub_A", "cus_A", items=[item(quantity=1)])
    late = stripe_hook.send(event("customer.subscription.updated", old, date(2025, 6, 1)))
    assert late["status"] == "ignored"
    assert stripe_hook.mrr("cus_A", date(2025, 6, 30)) == Decimal("150.00")


def test_sync_refuses_a_bad_key(fake: FakeStripe) -> None:
    api = StripeApi("sk_test_wrong", fake.base)
    with pytest.raises(Invalid, match="Invalid API Key"):
        list(api.customers())


def test_sync_needs_an_api_key(settings: Settings) -> None:
    with pytest.raises(Invalid, match="TENURE_STRIPE_API_KEY"):
        StripeApi.from_settings(settings)


def test_cli_sync_through_the_console_script(
    env_for: dict[str, str], stripe_hook: Stripe, fake: FakeStripe
) -> None:
    env = {**env_for, "TENURE_STRIPE_API_KEY": API_KEY, "TENURE_STRIPE_API_BASE": fake.base}
    result = run_tenure("stripe", "sync", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"customers": 3, "subscriptions": 3, "invoices": 3,
                                         "skipped": 0}
    assert "3 customers" in result.stderr
    assert set(stripe_hook.terms()) == {"si_A1", "si_B1", "si_C1"}
    # Run again: same state, nothing new.
    again = run_tenure("stripe", "sync", env=env)
    assert again.returncode == 0, again.stderr
    assert set(stripe_hook.terms()) == {"si_A1", "si_B1", "si_C1"}
    bad = run_tenure("stripe", "sync", env={**env, "TENURE_STRIPE_API_KEY": "sk_test_nope"})
    assert bad.returncode == 1 and "Invalid API Key" in bad.stderr


def test_settings_carry_the_key_as_a_secret(settings: Settings) -> None:
    configured = settings.model_copy(update={"stripe_api_key": SecretStr("sk_live_x")})
    assert "sk_live_x" not in repr(configured)
    assert Settings().stripe_api_base == "https://api.stripe.com"
