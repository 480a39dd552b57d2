"""Subscriptions to terms and MRR (METRICS.md section 1), both API shapes, trials,
cancellations, deletions and plan changes; customers to accounts both ways."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .conftest import Stripe
from .payloads import customer, event, item, subscription, ts

JAN10 = date(2025, 1, 10)


def test_monthly_seats_are_150_mrr_on_the_2025_03_31_shape(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.subscription.created", subscription(), JAN10))
    term = stripe_hook.terms()["si_A1"]
    assert (term.amount, term.billing_period_months, term.quantity) == (Decimal("150"), 1, 3)
    assert (term.start_date, term.end_date, term.source, term.currency) == (JAN10, None, "stripe", "USD")
    assert term.plan == "Pro"
    assert stripe_hook.mrr("cus_A", date(2025, 1, 31)) == Decimal("150.00")
    assert stripe_hook.mrr("cus_A", date(2025, 1, 9)) == Decimal("0.00")


def test_yearly_price_is_100_mrr_on_the_older_shape(stripe_hook: Stripe) -> None:
    old = subscription(items=[item(unit_amount=120000, quantity=1, interval="year", period=None)],
                       period=(JAN10, date(2026, 1, 10)))
    stripe_hook.send(event("customer.subscription.created", old, JAN10))
    term = stripe_hook.terms()["si_A1"]
    assert (term.amount, term.billing_period_months) == (Decimal("1200"), 12)
    assert stripe_hook.mrr("cus_A", date(2025, 3, 31)) == Decimal("100.00")


@pytest.mark.parametrize(
    ("currency", "unit_amount", "interval", "count", "amount", "months", "mrr"),
    [
        ("jpy", 3000, "month", 1, Decimal("9000"), 1, Decimal("9000.00")),  # zero-decimal
        ("kwd", 10500, "month", 1, Decimal("31.5"), 1, Decimal("31.50")),  # three-decimal
        ("eur", 30000, "month", 3, Decimal("900"), 3, Decimal("300.00")),  # quarterly
        ("usd", 1000, "week", 1, Decimal("130"), 1, Decimal("130.00")),  # 52/12 weeks a month
        ("usd", 100, "day", 1, Decimal("91.25"), 1, Decimal("91.25")),  # 365/12 days a month
    ],
)
def test_currencies_and_intervals(
    stripe_hook: Stripe, currency: str, unit_amount: int, interval: str, count: int,
    amount: Decimal, months: int, mrr: Decimal,
) -> None:
    sub = subscription(items=[item(unit_amount=unit_amount, interval=interval, count=count,
                                   currency=currency)])
    stripe_hook.send(event("customer.subscription.created", sub, JAN10))
    term = stripe_hook.terms()["si_A1"]
    assert (term.amount, term.billing_period_months, term.currency) == (amount, months, currency.upper())
    assert stripe_hook.mrr("cus_A", date(2025, 2, 28)) == mrr


def test_cancel_at_period_end_is_a_notice_then_deletion_ends_it(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.subscription.created", subscription(), JAN10))
    notice = subscription(cancel_at_period_end=True, canceled_at=ts(date(2025, 6, 20)))
    stripe_hook.send(event("customer.subscription.updated", notice, date(2025, 6, 20),
                           previous={"cancel_at_period_end": False}))
    term = stripe_hook.terms()["si_A1"]
    assert (term.canceled_at, term.end_date) == (date(2025, 6, 20), date(2025, 7, 10))
    assert stripe_hook.mrr("cus_A", date(2025, 6, 30)) == Decimal("150.00")
    assert stripe_hook.mrr("cus_A", date(2025, 7, 31)) == Decimal("0.00")
    # Revoked: the term runs on again.
    stripe_hook.send(event("customer.subscription.updated", subscription(), date(2025, 6, 25)))
    assert (stripe_hook.terms()["si_A1"].canceled_at, stripe_hook.terms()["si_A1"].end_date) == (None, None)
    ended = subscription(status="canceled", canceled_at=ts(date(2025, 6, 28)),
                         ended_at=ts(date(2025, 6, 28)))
    stripe_hook.send(event("customer.subscription.deleted", ended, date(2025, 6, 28)))
    term = stripe_hook.terms()["si_A1"]
    assert (term.end_date, term.canceled_at) == (date(2025, 6, 28), date(2025, 6, 28))


def test_cancel_at_a_date(stripe_hook: Stripe) -> None:
    sub = subscription(cancel_at=ts(date(2025, 9, 1)), canceled_at=ts(date(2025, 6, 2)))
    stripe_hook.send(event("customer.subscription.created", sub, JAN10))
    term = stripe_hook.terms()["si_A1"]
    assert (term.end_date, term.canceled_at) == (date(2025, 9, 1), date(2025, 6, 2))


def test_plan_change_ends_the_old_term_and_starts_a_new_one(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.subscription.created", subscription(), JAN10))
    upgraded = subscription(items=[item(quantity=5, unit_amount=8000, pid="price_biz",
                                        nickname="Business")])
    stripe_hook.send(event("customer.subscription.updated", upgraded, date(2025, 4, 15),
                           previous={"items": {"data": [item()]}}))
    terms = stripe_hook.terms()
    assert sorted(terms) == ["si_A1", "si_A1@2025-04-15"]
    old, new = terms["si_A1"], terms["si_A1@2025-04-15"]
    assert (old.start_date, old.end_date, old.amount) == (JAN10, date(2025, 4, 15), Decimal("150"))
    assert (new.start_date, new.end_date, new.amount, new.plan) == (
        date(2025, 4, 15), None, Decimal("400"), "Business")
    assert stripe_hook.mrr("cus_A", date(2025, 3, 31)) == Decimal("150.00")
    assert stripe_hook.mrr("cus_A", date(2025, 4, 30)) == Decimal("400.00")
    # The same update delivered again under another id changes nothing.
    stripe_hook.send(event("customer.subscription.updated", upgraded, date(2025, 4, 15)))
    assert sorted(stripe_hook.terms()) == ["si_A1", "si_A1@2025-04-15"]


def test_removed_item_ends_and_added_item_starts(stripe_hook: Stripe) -> None:
    two = subscription(items=[item(), item("si_A2", unit_amount=1000, quantity=1)])
    stripe_hook.send(event("customer.subscription.created", two, JAN10))
    one = subscription(items=[item()])
    stripe_hook.send(event("customer.subscription.updated", one, date(2025, 3, 5),
                           previous={"items": {"data": two["items"]["data"]}}))
    terms = stripe_hook.terms()
    assert terms["si_A2"].end_date == date(2025, 3, 5) and terms["si_A1"].end_date is None
    assert stripe_hook.mrr("cus_A", date(2025, 3, 31)) == Decimal("150.00")


def test_trial_is_zero_until_it_ends(stripe_hook: Stripe) -> None:
    trial = dict(trial_start=ts(JAN10), trial_end=ts(date(2025, 1, 24)))
    stripe_hook.send(event("customer.subscription.created",
                           subscription(status="trialing", **trial), JAN10))
    term = stripe_hook.terms()["si_A1"]
    assert (term.amount, term.start_date, term.end_date) == (Decimal("0"), JAN10, date(2025, 1, 24))
    stripe_hook.send(event("customer.subscription.updated", subscription(**trial),
                           date(2025, 1, 24), previous={"status": "trialing"}))
    paid = stripe_hook.terms()["si_A1@2025-01-24"]
    assert (paid.amount, paid.start_date, paid.end_date) == (Decimal("150"), date(2025, 1, 24), None)
    assert stripe_hook.mrr("cus_A", date(2025, 1, 20)) == Decimal("0.00")
    assert stripe_hook.mrr("cus_A", date(2025, 1, 31)) == Decimal("150.00")


def test_trial_cancelled_during_the_trial_stays_zero(stripe_hook: Stripe) -> None:
    trial = dict(trial_start=ts(JAN10), trial_end=ts(date(2025, 1, 24)))
    stripe_hook.send(event("customer.subscription.created",
                           subscription(status="trialing", **trial), JAN10))
    ended = subscription(status="canceled", ended_at=ts(date(2025, 1, 15)),
                         canceled_at=ts(date(2025, 1, 15)), **trial)
    stripe_hook.send(event("customer.subscription.deleted", ended, date(2025, 1, 15)))
    terms = stripe_hook.terms()
    assert list(terms) == ["si_A1"]
    assert (terms["si_A1"].amount, terms["si_A1"].end_date) == (Decimal("0"), date(2025, 1, 15))


def test_customer_metadata_maps_to_an_existing_account(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.created", customer(name="Acme"), JAN10))
    assert stripe_hook.accounts()["cus_A"].name == "Acme"
    # The CRM account appears; the customer is pointed at it: the account named after the
    # customer id gives its terms up.
    with stripe_hook.context.sessions.begin() as session:
        from tenure.accounts import service as accounts

        accounts.ensure_account(session, "acme-crm", "Acme Corporation")
    stripe_hook.send(event("customer.subscription.created", subscription(), JAN10))
    stripe_hook.send(event("customer.updated", customer(account="acme-crm"), date(2025, 2, 1)))
    found = stripe_hook.accounts()
    assert found["acme-crm"].stripe_customer_id == "cus_A"
    assert found["cus_A"].stripe_customer_id is None
    assert stripe_hook.mrr("acme-crm", date(2025, 2, 28)) == Decimal("150.00")
    assert stripe_hook.mrr("cus_A", date(2025, 2, 28)) == Decimal("0.00")


def test_unknown_metadata_account_falls_back_to_the_customer_id(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.created", customer(account="nobody", name="Bolt"), JAN10))
    found = stripe_hook.accounts()
    assert list(found) == ["cus_A"]
    assert (found["cus_A"].name, found["cus_A"].stripe_customer_id) == ("Bolt", "cus_A")


def test_subscription_before_its_customer_creates_the_account(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.subscription.created", subscription(cus="cus_Z"), JAN10))
    assert stripe_hook.accounts()["cus_Z"].name == "cus_Z"
    stripe_hook.send(event("customer.created", customer("cus_Z", name="Zed Ltd"), JAN10))
    assert stripe_hook.accounts()["cus_Z"].name == "Zed Ltd"
    assert stripe_hook.mrr("cus_Z", date(2025, 1, 31)) == Decimal("150.00")
