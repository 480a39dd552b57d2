"""Stripe customers to accounts (CONTRACT.md): the account whose external_id is the
customer's `metadata.account_external_id`, else the account whose external_id is the
customer id (created if missing). The choice is remembered in accounts.stripe_customer_id
so that subscription and invoice events, which carry only the customer id, find it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.integrations.stripe.schemas import Change, Customer
from tenure.subscriptions import service as subscriptions


def account_for_customer_id(session: Session, customer_id: str) -> int:
    """The account remembered for this customer, else the one named after its id."""
    found = accounts.account_id_for_stripe_customer(session, customer_id)
    if found is not None:
        return found
    account_id = accounts.ensure_account(session, customer_id)
    accounts.link_stripe_customer(session, account_id, customer_id)
    return account_id


def apply_customer(session: Session, customer: Customer, _change: Change) -> None:
    wanted = customer.account_external_id
    if wanted is None or not accounts.account_exists(session, wanted):
        wanted = customer.id
    account_id = accounts.ensure_account(session, wanted, customer.name or customer.email)
    previous = accounts.account_id_for_stripe_customer(session, customer.id)
    accounts.link_stripe_customer(session, account_id, customer.id)
    if previous is None or previous == account_id:
        return
    # Events that arrived before the customer's metadata landed on an account named
    # after the customer id: its terms and invoices follow the customer.
    if accounts.external_ids_by_id(session, [previous]).get(previous) == customer.id:
        subscriptions.move_account(session, previous, account_id)
