"""Rules of the subscriptions domain: subscription terms (METRICS.md section 1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tenure.kit.bulk import Record, UpsertPlan
from tenure.kit.money import term_mrr, to_cents
from tenure.kit.pagination import Page, PageParams
from tenure.subscriptions import repository
from tenure.subscriptions.schemas import InvoiceData, StoredTerm, TermData, TermFilters, TermOut


def plan_upsert(session: Session, records: Sequence[Record]) -> UpsertPlan:
    """Split records by `external_id` into inserts, updates and unchanged rows."""
    return repository.plan_upsert(session, records)


def apply_upsert(session: Session, plan: UpsertPlan, batch_rows: int) -> None:
    """Write a plan with bulk statements; flushes, never commits."""
    repository.write(session, plan, batch_rows)


def mrr_by_account(session: Session, account_ids: Collection[int], on: date) -> dict[int, Decimal]:
    """Account MRR on day `on` (METRICS.md section 1), rounded to cents once per account."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount, period in repository.active_terms(session, account_ids, on):
        totals[account_id] += term_mrr(amount, period)
    return {account_id: to_cents(total) for account_id, total in totals.items()}


def list_terms(
    session: Session, filters: TermFilters, page: PageParams
) -> Page[TermOut]:
    from tenure.accounts import service as accounts  # accounts also asks us for MRR

    terms, total = repository.list_terms(session, filters, page.limit, page.offset)
    external_ids = accounts.external_ids_by_id(session, {t.account_id for t in terms})
    items = [
        TermOut.model_validate(
            {
                **{c: getattr(t, c) for c in TermOut.model_fields if hasattr(t, c)},
                "account_external_id": external_ids[t.account_id],
                "mrr": to_cents(term_mrr(t.amount, t.billing_period_months)),
            }
        )
        for t in terms
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def count_active_terms(session: Session, account_id: int, on: date) -> int:
    return len(repository.active_terms(session, [account_id], on))


def upsert_term(session: Session, data: TermData) -> int:
    """Insert or update one term by `external_id`; returns its id. Flushes."""
    return repository.save_term(session, data.model_dump())


def term_lineage(session: Session, external_id: str) -> list[StoredTerm]:
    """A recurring line's terms, oldest first: `external_id` itself and the terms that
    succeeded it after a price change, named `external_id@YYYY-MM-DD` (their start)."""
    return [StoredTerm.model_validate(t) for t in repository.term_lineage(session, external_id)]


def upsert_invoice(session: Session, data: InvoiceData) -> int:
    """Insert or update one invoice by `external_id`; returns its id. Flushes."""
    return repository.save_invoice(session, data.model_dump())


def move_account(session: Session, from_account: int, to_account: int) -> None:
    """Hand every term and invoice of one account to another (a customer re-mapped)."""
    repository.move_account(session, from_account, to_account)


def mark_overdue_invoices(session: Session, today: date) -> int:
    """Open invoices whose due date is before `today` become `overdue`; returns how many."""
    return repository.mark_overdue(session, today)
