"""The panels of Account 360, each built from one service (or stored engine output)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tenure.contacts import service as contacts
from tenure.contacts.schemas import ContactFilters
from tenure.errors import NotFound
from tenure.kit.context import AppContext
from tenure.kit.pagination import PageParams
from tenure.kit.timeutil import month_start
from tenure.subscriptions import service as subscriptions
from tenure.subscriptions.schemas import TermFilters
from tenure.usage import service as usage
from tenure.web import charts
from tenure.web.queries import account as queries
from tenure.web.services import optional

ALL = PageParams(limit=500, offset=0)
HISTORY_DAYS = 365
USAGE_DAYS = 90
MRR_MONTHS = 12


def health(session: Session, external_id: str, today: date) -> dict[str, Any] | None:
    service = optional("tenure.health.service", "explain_account")
    if service is None:
        return None
    try:
        found = service.explain_account(session, external_id, today, HISTORY_DAYS)
    except NotFound:
        return None
    measures = [m.model_dump() for m in found.measures]
    scored = [m for m in measures if m.get("score") is not None]
    history = [{"day": p.as_of.isoformat(), "score": p.score} for p in found.history
               if p.score is not None]
    return {
        "summary": found, "measures": measures,
        "contributions": charts.bars("Contribution of each measure", [
            {"measure": m["name"], "contribution": m["contribution"]} for m in scored
        ], "measure", "contribution", value_title="points of the score"),
        "history": charts.line("Health score", history, "day", "score", y_title="score",
                               y_domain=[0, 100]) if len(history) > 1 else None,
    }


def usage_panel(context: AppContext, session: Session, external_id: str, today: date,
                seats: int | None) -> dict[str, Any]:
    start, end = usage.usage_window(today - timedelta(days=USAGE_DAYS - 1), today, today)
    found = usage.account_usage(session, context.events, external_id, start, end)
    users = [{"day": d.date.isoformat(), "value": d.active_users, "series": "active users"}
             for d in found.days]
    if seats:
        users += [{"day": d.date.isoformat(), "value": seats, "series": "seats"} for d in found.days]
    events = [{"day": d.date.isoformat(), "events": d.events} for d in found.days]
    return {
        "summary": found,
        "users": charts.line("Daily active users against seats", users, "day", "value",
                             y_title="people", series="series"),
        "events": charts.line("Events per day", events, "day", "events", y_title="events"),
        "top": charts.bars("Key events (90 days)", [
            {"event": e.name, "count": e.count} for e in found.top_events
        ], "event", "count", value_title="events") if found.top_events else None,
    }


def money(session: Session, account_id: int, today: date) -> dict[str, Any]:
    terms = subscriptions.list_terms(session, TermFilters(account_id=account_id), ALL).items
    months = [month_start(today)]
    for _ in range(MRR_MONTHS - 1):
        months.insert(0, month_start(months[0] - timedelta(days=1)))
    series = [
        {"month": m.isoformat(), "mrr": float(subscriptions.mrr_by_account(session, [account_id], m)
                                              .get(account_id, 0))}
        for m in months
    ]
    active = [t for t in terms if t.start_date <= today and (t.end_date is None or t.end_date > today)]
    return {
        "terms": sorted(terms, key=lambda t: t.start_date, reverse=True),
        "renewal_on": min((t.end_date for t in active if t.end_date), default=None),
        "mrr_chart": charts.line("MRR, first of each month", series, "month", "mrr",
                                 y_title="MRR ($)"),
    }


def seats(session: Session, account_id: int, today: date) -> int | None:
    """Seats of the account's active terms (their quantities)."""
    terms = subscriptions.list_terms(
        session, TermFilters(account_id=account_id, active_on=today), ALL).items
    return sum(t.quantity or 0 for t in terms) or None


def people(session: Session, account_id: int) -> list[Any]:
    return contacts.list_contacts(session, ContactFilters(account_id=account_id), ALL).items


def open_tasks(session: Session, external_id: str, today: date) -> list[Any]:
    service = optional("tenure.tasks.service", "list_tasks")
    if service is None:
        return []
    from tenure.tasks.schemas import TaskFilters

    filters = TaskFilters(account=external_id, status="open")
    return list(service.list_tasks(session, filters, ALL, today).items)


def alerts(session: Session, external_id: str) -> list[Any] | None:
    service = optional("tenure.risk.service", "list_alerts")
    if service is None:
        return None
    return list(service.list_alerts(session, external_id, None, PageParams(limit=20, offset=0)).items)


def churn(session: Session, account_id: int) -> dict[str, Any] | None:
    service = optional("tenure.churn.service", "account_churn")
    if service is None:
        return None
    found = service.account_churn(session, account_id)
    return None if found is None else found.model_dump()


def voice(session: Session, account_id: int) -> dict[str, Any]:
    answers = queries.surveys(session, account_id)
    latest = {kind: next((a for a in answers if a.kind == kind), None) for kind in ("nps", "csat")}
    return {"answers": answers, "latest": latest}
