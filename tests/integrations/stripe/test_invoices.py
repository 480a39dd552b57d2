"""Invoices from Stripe: paid, failed, overdue (webhook and the daily job), both shapes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from tests.cli_runner import run_tenure

from .conftest import Stripe
from .payloads import event, invoice, subscription

JUN10 = date(2025, 6, 10)


def test_paid_invoice_links_its_term(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("customer.subscription.created", subscription(), date(2025, 1, 10)))
    stripe_hook.send(event("invoice.created", invoice(status="draft"), JUN10))
    assert stripe_hook.invoices()["in_A1"].status == "draft"
    stripe_hook.send(event("invoice.paid", invoice(status="paid", paid=date(2025, 6, 11)), date(2025, 6, 11)))
    found = stripe_hook.invoices()["in_A1"]
    assert (found.status, found.amount, found.currency) == ("paid", Decimal("150"), "USD")
    assert (found.issued_on, found.paid_on) == (JUN10, date(2025, 6, 11))
    assert found.subscription_id == stripe_hook.terms()["si_A1"].id
    assert found.account_id == stripe_hook.accounts()["cus_A"].id


def test_payment_failed_then_paid_in_either_order(stripe_hook: Stripe) -> None:
    failed = event("invoice.payment_failed", invoice(attempt_count=1, new_shape=False), JUN10)
    paid = event("invoice.paid", invoice(status="paid", attempt_count=2, paid=date(2025, 6, 13)),
                 date(2025, 6, 13))
    stripe_hook.send(failed)
    assert stripe_hook.invoices()["in_A1"].status == "failed"
    stripe_hook.send(paid)
    assert stripe_hook.invoices()["in_A1"].status == "paid"
    # Other order on another invoice: the failure arrives last and is ignored.
    failed2 = event("invoice.payment_failed", invoice("in_A2", attempt_count=1), JUN10)
    paid2 = event("invoice.paid", invoice("in_A2", status="paid", paid=date(2025, 6, 13)),
                  date(2025, 6, 13))
    stripe_hook.send(paid2)
    assert stripe_hook.send(failed2)["status"] == "ignored"
    assert stripe_hook.invoices()["in_A2"].status == "paid"


def test_jpy_invoice_amount(stripe_hook: Stripe) -> None:
    stripe_hook.send(event("invoice.finalized", invoice(total=9000, currency="jpy"), JUN10))
    assert stripe_hook.invoices()["in_A1"].amount == Decimal("9000")


def test_overdue_on_arrival_and_by_the_daily_job(stripe_hook: Stripe, env_for: dict[str, str]) -> None:
    # Due long ago: overdue as soon as it arrives.
    stripe_hook.send(event("invoice.finalized", invoice("in_old", due=date(2025, 1, 31)),
                           date(2025, 1, 1)))
    assert stripe_hook.invoices()["in_old"].status == "overdue"
    # Due in the far future: open; the job leaves it alone.
    stripe_hook.send(event("invoice.finalized", invoice("in_new", due=date(2099, 1, 1)), JUN10))
    assert stripe_hook.invoices()["in_new"].status == "open"
    # Open with a due date that passes: the job marks it (here: the due date moved back
    # in the database, as time passing would).
    from sqlalchemy import update

    from tenure.models import Invoice

    with stripe_hook.context.sessions.begin() as session:
        session.execute(update(Invoice).where(Invoice.external_id == "in_new")
                        .values(due_on=date(2025, 6, 1)))
    result = run_tenure("jobs", "run", "stripe-overdue-invoices", "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "succeeded"
    assert stripe_hook.invoices()["in_new"].status == "overdue"
    listed = run_tenure("jobs", "list", "--json", env=env_for)
    assert "stripe-overdue-invoices" in {job["name"] for job in json.loads(listed.stdout)["jobs"]}
