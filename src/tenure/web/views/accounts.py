"""Account 360: `/accounts/{external_id}` and its quick "add note"."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.api.deps import get_context, get_session, get_today
from tenure.errors import NotFound
from tenure.kit.context import AppContext
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.forms import is_htmx
from tenure.web.queries import account as queries
from tenure.web.templating import redirect, render
from tenure.web.views import account_panels as panels

router = page_router()


def _account_id(session: Session, external_id: str) -> int:
    found = queries.account_id(session, external_id)
    if found is None:
        raise NotFound(f"There is no account with id “{external_id}”.")
    return found


@router.get("/accounts/{external_id}")
def account(
    request: Request,
    external_id: str,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    account_id = _account_id(session, external_id)
    money = panels.money(session, account_id, today)
    values = {
        "nav": "portfolio",
        "account": accounts.get_account(session, external_id, today),
        "money": money,
        "health": panels.health(session, external_id, today),
        "contacts": panels.people(session, account_id),
        "tasks": panels.open_tasks(session, external_id, today),
        "timeline": queries.timeline(session, account_id),
        "voice": panels.voice(session, account_id),
        "churn": panels.churn(session, account_id),
        "alerts": panels.alerts(session, external_id),
        "today": today,
    }
    return render(request, "account/index.html", values)


@router.get("/accounts/{external_id}/usage")
def usage(
    request: Request,
    external_id: str,
    user: Annotated[SignedIn, Depends(require_role("viewer"))],
    session: Annotated[Session, Depends(get_session)],
    context: Annotated[AppContext, Depends(get_context)],
    today: Annotated[date, Depends(get_today)],
) -> Response:
    """The usage panel, loaded by the page after it is shown: reading the event store
    costs more than the rest of the page together."""
    account_id = _account_id(session, external_id)
    seats = panels.seats(session, account_id, today)
    values = {"usage": panels.usage_panel(context, session, external_id, today, seats),
              "seats": seats}
    return render(request, "account/_usage.html", values)


@router.post("/accounts/{external_id}/notes")
def add_note(
    request: Request,
    external_id: str,
    body: Annotated[str, Form()],
    user: Annotated[SignedIn, Depends(require_role("csm"))],
    session: Annotated[Session, Depends(get_session)],
) -> Response:
    account_id = _account_id(session, external_id)
    queries.add_note(session, account_id, user.user_id, body)
    if is_htmx(request):
        items = queries.timeline(session, account_id)
        return render(request, "account/_timeline.html", {"timeline": items, "added": True})
    return redirect(f"/accounts/{quote(external_id, safe='')}#timeline", "Note added.")
