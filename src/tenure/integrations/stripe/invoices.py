"""Stripe invoices to invoices (external_id = the invoice id).

The status comes from the snapshot alone, so events in any order converge:
paid, void, uncollectible and draft are Stripe's own; an open invoice whose payment
was attempted and failed is `failed`, else `overdue` once past its due date, else `open`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tenure.integrations.stripe.customers import account_for_customer_id
from tenure.integrations.stripe.pricing import major_units
from tenure.integrations.stripe.schemas import Change, Invoice, day_of
from tenure.subscriptions import service as subscriptions
from tenure.subscriptions.schemas import InvoiceData

FINAL_STATUSES = frozenset({"paid", "void", "uncollectible", "draft"})


def invoice_status(invoice: Invoice, today: date) -> str:
    if invoice.status in FINAL_STATUSES:
        return str(invoice.status)
    if invoice.attempt_count > 0:
        return "failed"
    due = day_of(invoice.due_date)
    return "overdue" if due is not None and due < today else "open"


def _term_id(session: Session, invoice: Invoice, issued: date) -> int | None:
    if invoice.item_id is None:
        return None
    lineage = subscriptions.term_lineage(session, invoice.item_id)
    started = [term for term in lineage if term.start_date <= issued]
    chosen = started[-1] if started else (lineage[0] if lineage else None)
    return None if chosen is None else chosen.id


def apply_invoice(session: Session, invoice: Invoice, change: Change) -> None:
    issued = day_of(invoice.status_transitions.finalized_at or invoice.created) or change.day
    subscriptions.upsert_invoice(
        session,
        InvoiceData(
            external_id=invoice.id,
            account_id=account_for_customer_id(session, invoice.customer),
            subscription_id=_term_id(session, invoice, issued),
            amount=major_units(max(invoice.total, 0), invoice.currency),
            currency=invoice.currency.upper(),
            issued_on=issued,
            due_on=day_of(invoice.due_date),
            paid_on=day_of(invoice.status_transitions.paid_at),
            status=invoice_status(invoice, change.today),
        ),
    )
