"""Home, "my day": my open tasks, health changes in my book, renewals due, new alerts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.api.deps import get_session, get_today
from tenure.kit.pagination import PageParams
from tenure.subscriptions import service as subscriptions
from tenure.tasks import service as tasks
from tenure.tasks.schemas import TaskFilters
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.queries import home as queries
from tenure.web.queries import portfolio
from tenure.web.queries.portfolio import RENEWAL_WINDOWS, PortfolioFilters
from tenure.web.services import optional
from tenure.web.templating import render

router = page_router()
TASKS_SHOWN = 12
CHANGES_SHOWN = 10
ALERT_DAYS = 7
ALERT_PAGE = 500
PRIORITY_ORDER = {"urgent": 0, "high": 1, "medium": 2, "low": 3}


def my_tasks(session: Session, user: SignedIn, today: date) -> tuple[list[Any], int]:
    filters = TaskFilters(owner=user.email, status="open", include_snoozed=False)
    found = tasks.list_tasks(session, filters, PageParams(limit=200, offset=0), today)
    ordered = sorted(found.items, key=lambda t: (PRIORITY_ORDER.get(t.priority, 9),
                                                 t.due_on or date.max, t.id))
    return ordered[:TASKS_SHOWN], found.total


def health_changes(session: Session, book: dict[int, tuple[str, str]], today: date) -> list[Any]:
    ids = {account_id: ext for account_id, (ext, _name) in book.items()}
    return queries.health_moves(session, ids, today, 7)[:CHANGES_SHOWN]


def renewals(session: Session, user: SignedIn, today: date) -> list[dict[str, Any]]:
    filters = PortfolioFilters(owner="me", renewal=max(RENEWAL_WINDOWS), sort="renewal")
    rows, _ = portfolio.rows(session, filters, today, user.email, limit=None)
    mrr = subscriptions.mrr_by_account(session, [r.id for r in rows], today)
    buckets = [{"days": days, "rows": []} for days in RENEWAL_WINDOWS]
    for row in rows:
        days_left = (row.renewal_on - today).days if row.renewal_on else None
        bucket = next((b for b in buckets if days_left is not None and days_left <= b["days"]), None)
        if bucket is not None:
            bucket["rows"].append({"row": row, "arr": portfolio.arr_of(mrr, row.id)})
    return buckets


def new_alerts(session: Session, book: dict[str, str], today: date) -> list[Any] | None:
    """Alerts fired in the book in the last ALERT_DAYS days: pages of the newest alerts
    until they are older than that."""
    service = optional("tenure.risk.service", "list_alerts")
    if service is None:
        return None
    since, found, offset = today - timedelta(days=ALERT_DAYS), [], 0
    while len(found) < 20 and offset < 20 * ALERT_PAGE:
        page = service.list_alerts(session, None, None, PageParams(limit=ALERT_PAGE, offset=offset)).items
        found += [a for a in page if a.account_external_id in book and a.fired_on >= since]
        if len(page) < ALERT_PAGE or page[-1].fired_on < since:
            break
        offset += ALERT_PAGE
    return found[:20]


@router.get("/")
def home(
    request: Request,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    owned = queries.book(session, user.user_id)
    book = dict(owned.values())  # external_id -> name
    open_tasks, task_total = my_tasks(session, user, today)
    context = {
        "nav": "home", "today": today, "book": book, "tasks": open_tasks,
        "task_total": task_total, "changes": health_changes(session, owned, today),
        "renewals": renewals(session, user, today), "alerts": new_alerts(session, book, today),
        "alert_days": ALERT_DAYS,
    }
    return render(request, "home.html", context)
