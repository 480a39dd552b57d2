"""Turn the generated plans into row dictionaries for bulk SQLAlchemy Core inserts.

Every timestamp is derived from the plan (never the clock), so a seed and an as-of date
give the same rows, `created_at` included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np

from tenure.demo.behaviour import SECONDS_PER_DAY, Activities, Surveys, Tickets
from tenure.demo.billing import Invoices
from tenure.demo.contracts import Terms
from tenure.demo.customers import AccountPlan
from tenure.demo.people import Contacts
from tenure.demo.worklist import Tasks

Row = dict[str, object]
_ORIGIN = datetime(1, 1, 1, tzinfo=UTC)


def at_seconds(seconds: int) -> datetime:
    """Seconds counted from ordinal day 0 (so ordinal * 86400 is that day's midnight)."""
    return _ORIGIN + timedelta(seconds=int(seconds) - SECONDS_PER_DAY)


def at_day(day: int) -> datetime:
    return at_seconds(int(day) * SECONDS_PER_DAY)


def _day(day: int) -> date | None:
    return None if day < 0 else date.fromordinal(int(day))


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2)))


def _stamped(row: Row, when: datetime) -> Row:
    row["created_at"] = when
    row["updated_at"] = when
    return row


def account_rows(accounts: AccountPlan, segments: list[str], owner_ids: list[int],
                 stages: list[str], since: np.ndarray) -> list[Row]:
    return [
        _stamped({
            "external_id": accounts.external_id[i], "name": accounts.name[i],
            "domain": accounts.domain[i], "industry": accounts.industry[i],
            "country": accounts.country[i], "employees": int(accounts.employees[i]),
            "owner_id": owner_ids[i], "segment": segments[i], "lifecycle_stage": stages[i],
            "customer_since": at_day(since[i] if since[i] >= 0 else accounts.acquired[i]),
        }, at_day(accounts.acquired[i]))
        for i in range(accounts.n)
    ]


def contact_rows(contacts: Contacts, account_ids: list[int]) -> list[Row]:
    return [
        _stamped({
            "external_id": contacts.external_id[k], "account_id": account_ids[contacts.account[k]],
            "email": contacts.email[k], "first_name": contacts.first_name[k],
            "last_name": contacts.last_name[k], "title": contacts.title[k],
            "role": contacts.role[k],
        }, at_day(contacts.created[k]))
        for k in range(len(contacts))
    ]


def term_rows(terms: Terms, account_ids: list[int]) -> list[Row]:
    return [
        _stamped({
            "external_id": f"SUB-{k + 1:07d}", "account_id": account_ids[terms.account[k]],
            "plan": terms.plan[k], "start_date": _day(terms.start[k]),
            "end_date": _day(terms.end[k]), "amount": _money(terms.amount[k]),
            "billing_period_months": terms.billing[k], "quantity": terms.quantity[k],
            "currency": "USD", "signed_at": _day(terms.signed[k]),
            "canceled_at": _day(terms.canceled[k]), "source": "demo",
        }, at_day(terms.signed[k]))
        for k in range(len(terms))
    ]


def invoice_rows(invoices: Invoices, account_ids: list[int], term_ids: list[int]) -> list[Row]:
    term, account = invoices.term.tolist(), invoices.account.tolist()
    issued, due, paid = invoices.issued.tolist(), invoices.due.tolist(), invoices.paid.tolist()
    return [
        _stamped({
            "external_id": f"INV-{k + 1:08d}", "account_id": account_ids[account[k]],
            "subscription_id": term_ids[term[k]], "amount": _money(invoices.amount[k]),
            "currency": "USD", "issued_on": _day(issued[k]), "due_on": _day(due[k]),
            "paid_on": _day(paid[k]), "status": invoices.status[k],
        }, at_day(issued[k]))
        for k in range(len(invoices))
    ]


def spend_rows(spend: list[tuple[int, float]]) -> list[Row]:
    return [
        _stamped({"month": _day(month), "sales_marketing_spend": _money(value)},
                 at_day(month))
        for month, value in spend
    ]


def ticket_rows(tickets: Tickets, account_ids: list[int]) -> list[Row]:
    account, opened, closed = (tickets.account.tolist(), tickets.opened.tolist(),
                               tickets.closed.tolist())
    return [
        _stamped({
            "external_id": f"TCK-{k + 1:08d}", "account_id": account_ids[account[k]],
            "opened_at": at_seconds(opened[k]),
            "closed_at": at_seconds(closed[k]) if closed[k] >= 0 else None,
            "priority": tickets.priority[k], "status": tickets.status[k],
            "subject": tickets.subject[k],
        }, at_seconds(opened[k]))
        for k in range(len(account))
    ]


def survey_rows(surveys: Surveys, account_ids: list[int], contact_ids: list[int],
                emails: list[str], respondent: np.ndarray) -> list[Row]:
    account, responded = surveys.account.tolist(), surveys.responded.tolist()
    score, who = surveys.score.tolist(), respondent.tolist()
    return [
        _stamped({
            "external_id": f"SRV-{k + 1:08d}", "account_id": account_ids[account[k]],
            "contact_id": contact_ids[who[k]], "contact_email": emails[who[k]],
            "kind": surveys.kind[k], "score": score[k],
            "responded_at": at_seconds(responded[k]), "comment": surveys.comment[k],
        }, at_seconds(responded[k]))
        for k in range(len(account))
    ]


def activity_rows(activities: Activities, account_ids: list[int], author_ids: list[int]
                  ) -> list[Row]:
    account, at = activities.account.tolist(), activities.at.tolist()
    return [
        _stamped({
            "account_id": account_ids[account[k]], "kind": activities.kind[k],
            "occurred_at": at_seconds(at[k]), "author_id": author_ids[account[k]],
            "subject": activities.subject[k], "body": f"{activities.subject[k]}.",
        }, at_seconds(at[k]))
        for k in range(len(account))
    ]


def task_rows(tasks: Tasks, account_ids: list[int], owner_ids: list[int]) -> list[Row]:
    return [
        _stamped({
            "account_id": account_ids[tasks.account[k]], "owner_id": owner_ids[tasks.account[k]],
            "type": tasks.type[k], "title": tasks.title[k], "reason": tasks.reason[k],
            "priority": tasks.priority[k], "due_on": _day(tasks.due[k]),
            "status": tasks.status[k], "dedup_key": tasks.dedup_key[k],
            "completed_at": at_seconds(tasks.completed[k]) if tasks.completed[k] >= 0 else None,
        }, at_day(tasks.created[k]))
        for k in range(len(tasks))
    ]
