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
from tenure.subscriptions.schemas import TermFilters, TermOut


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
