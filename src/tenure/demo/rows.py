"""Turn the generated plans into columns (name -> list or numpy array) for
`tenure.kit.bulk.append_columns`.

Ids are given explicitly (1..n in plan order: the tables are empty), so references are
plain array lookups. Every timestamp is derived from the plan (never the clock), so a
seed and an as-of date give the same rows, `created_at` included. Times are numpy
datetime64 in UTC, NaT for none.
"""

from __future__ import annotations

import numpy as np

from tenure.demo.behaviour import SECONDS_PER_DAY, Activities, Surveys, Tickets
from tenure.demo.billing import Invoices
from tenure.demo.calendar import EPOCH_ORDINAL
from tenure.demo.contracts import Terms
from tenure.demo.customers import AccountPlan
from tenure.demo.people import Contacts
from tenure.demo.signals import Milestones, Sentiment
from tenure.demo.worklist import Tasks

Columns = dict[str, object]


def ids(count: int) -> np.ndarray:
    return np.arange(1, count + 1, dtype=np.int64)


def days(values: object) -> np.ndarray:
    """Ordinal days (-1: none) as datetime64[D]."""
    d = np.asarray(values, dtype=np.int64)
    return np.where(d < 0, np.datetime64("NaT"), (d - EPOCH_ORDINAL).astype("datetime64[D]"))


def day_times(values: object) -> np.ndarray:
    """Midnight UTC of ordinal days (-1: none) as datetime64[s]."""
    return days(values).astype("datetime64[s]")


def second_times(values: object) -> np.ndarray:
    """Ordinal-day seconds (-1: none) as datetime64[s]."""
    s = np.asarray(values, dtype=np.int64)
    return np.where(s < 0, np.datetime64("NaT"),
                    (s - EPOCH_ORDINAL * SECONDS_PER_DAY).astype("datetime64[s]"))


def _money(values: object) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float), 2)


def _stamped(columns: Columns, when: np.ndarray) -> Columns:
    columns["created_at"] = when
    columns["updated_at"] = when
    return columns


def user_columns(staff_rows: list[dict[str, object]], today: int) -> Columns:
    n = len(staff_rows)
    columns: Columns = {"id": ids(n)}
    for name in ("email", "name", "role", "password_hash"):
        columns[name] = [row[name] for row in staff_rows]
    columns["is_active"] = [True] * n
    return _stamped(columns, day_times(np.full(n, today)))


def account_columns(accounts: AccountPlan, segments: list[str], owner_ids: np.ndarray,
                    stages: list[str], since: np.ndarray, sentiment: Sentiment) -> Columns:
    n = accounts.n
    parent = np.asarray(accounts.parent)
    return _stamped({
        "id": ids(n), "external_id": accounts.external_id, "name": accounts.name,
        "domain": accounts.domain, "industry": accounts.industry, "country": accounts.country,
        "employees": accounts.employees, "owner_id": owner_ids, "segment": segments,
        "lifecycle_stage": stages,
        "parent_id": [int(p) + 1 if p >= 0 else None for p in parent.tolist()],
        "customer_since": day_times(np.where(since >= 0, since, accounts.acquired)),
        "csm_sentiment": [sentiment.label(i) for i in range(n)],
        "csm_sentiment_at": sentiment_times(sentiment),
    }, day_times(accounts.acquired))


def sentiment_times(sentiment: Sentiment) -> np.ndarray:
    """The read's day at 16:30 UTC (end of a CSM's working day)."""
    day = sentiment.day
    return second_times(np.where(day >= 0, day * SECONDS_PER_DAY + 59_400, -1))


def contact_columns(contacts: Contacts) -> Columns:
    account = np.asarray(contacts.account, dtype=np.int64)
    left = np.asarray(contacts.left, dtype=np.int64)
    return _stamped({
        "id": ids(len(contacts)), "external_id": contacts.external_id,
        "account_id": account + 1, "email": contacts.email,
        "first_name": contacts.first_name, "last_name": contacts.last_name,
        "title": contacts.title, "role": contacts.role,
        "left_at": second_times(np.where(left >= 0, left * SECONDS_PER_DAY + 61_200, -1)),
    }, day_times(contacts.created))


def term_columns(terms: Terms) -> Columns:
    n = len(terms)
    return _stamped({
        "id": ids(n), "external_id": [f"SUB-{k + 1:07d}" for k in range(n)],
        "account_id": np.asarray(terms.account, dtype=np.int64) + 1, "plan": terms.plan,
        "start_date": days(terms.start), "end_date": days(terms.end),
        "amount": _money(terms.amount), "billing_period_months": terms.billing,
        "quantity": terms.quantity, "currency": ["USD"] * n,
        "signed_at": days(terms.signed), "canceled_at": days(terms.canceled),
        "source": ["demo"] * n,
    }, day_times(terms.signed))


def invoice_columns(invoices: Invoices) -> Columns:
    n = len(invoices)
    return _stamped({
        "external_id": [f"INV-{k + 1:08d}" for k in range(n)],
        "account_id": invoices.account + 1, "subscription_id": invoices.term + 1,
        "amount": _money(invoices.amount), "currency": ["USD"] * n,
        "issued_on": days(invoices.issued), "due_on": days(invoices.due),
        "paid_on": days(invoices.paid), "status": invoices.status,
    }, day_times(invoices.issued))


def spend_columns(spend: list[tuple[int, float]]) -> Columns:
    months = [month for month, _ in spend]
    return _stamped({"month": days(months),
                     "sales_marketing_spend": _money([value for _, value in spend])},
                    day_times(months))


def ticket_columns(tickets: Tickets) -> Columns:
    n = tickets.account.size
    return _stamped({
        "external_id": [f"TCK-{k + 1:08d}" for k in range(n)],
        "account_id": tickets.account + 1, "opened_at": second_times(tickets.opened),
        "closed_at": second_times(tickets.closed), "priority": tickets.priority,
        "status": tickets.status, "subject": tickets.subject,
    }, second_times(tickets.opened))


def survey_columns(surveys: Surveys, contact_ids: np.ndarray, emails: list[str],
                   respondent: np.ndarray) -> Columns:
    n = surveys.account.size
    return _stamped({
        "external_id": [f"SRV-{k + 1:08d}" for k in range(n)],
        "account_id": surveys.account + 1, "contact_id": contact_ids[respondent],
        "contact_email": [emails[k] for k in respondent.tolist()], "kind": surveys.kind,
        "score": surveys.score, "responded_at": second_times(surveys.responded),
        "comment": surveys.comment,
    }, second_times(surveys.responded))


def activity_columns(activities: Activities, author_ids: np.ndarray,
                     contacts: np.ndarray | None = None) -> Columns:
    """`contacts`: index of the contact each touch was with, -1 for none."""
    contact = np.full(activities.account.size, -1) if contacts is None else contacts
    return _stamped({
        "account_id": activities.account + 1, "kind": activities.kind,
        "contact_id": [int(c) + 1 if c >= 0 else None for c in contact.tolist()],
        "occurred_at": second_times(activities.at),
        "author_id": author_ids[activities.account],
        "subject": activities.subject, "body": [f"{s}." for s in activities.subject],
    }, second_times(activities.at))


def task_columns(tasks: Tasks, owner_ids: np.ndarray) -> Columns:
    account = np.asarray(tasks.account, dtype=np.int64)
    return _stamped({
        "account_id": account + 1, "owner_id": owner_ids[account], "type": tasks.type,
        "title": tasks.title, "reason": tasks.reason, "priority": tasks.priority,
        "due_on": days(tasks.due), "status": tasks.status, "dedup_key": tasks.dedup_key,
        "completed_at": second_times(tasks.completed),
    }, day_times(tasks.created))


def milestone_columns(milestones: Milestones, keys: list[str], names: list[str],
                      since: np.ndarray) -> Columns:
    template = milestones.template.tolist()
    return _stamped({
        "account_id": milestones.account + 1, "key": [keys[t] for t in template],
        "name": [names[t] for t in template], "due_on": days(milestones.due),
        "completed_on": days(milestones.completed),
    }, day_times(since[milestones.account]))
