"""`/admin/sources`: ingestion sources with their event counts (managers read) and
creating one (admins): the write key is shown once, on the response to the create."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tenure.api.deps import get_context, get_session
from tenure.errors import TenureError
from tenure.kit.context import AppContext
from tenure.web.auth import SignedIn, page_router, require_role
from tenure.web.templating import render

router = page_router()
DbSession = Annotated[Session, Depends(get_session)]
Context = Annotated[AppContext, Depends(get_context)]


def _page(request: Request, context: AppContext, session: Session, **extra: object) -> Response:
    from tenure.tracking import service as tracking
    from tenure.tracking.counts import events_by_source

    status = int(extra.pop("status", 200))  # type: ignore[call-overload]
    sources = tracking.list_sources(session, events_by_source(context.events), None)
    return render(request, "admin/sources.html",
                  {"nav": "admin", "sources": sources, **extra}, status_code=status)  # fmt: skip


@router.get("/admin/sources")
def list_sources(request: Request, user: Annotated[SignedIn, Depends(require_role("manager"))],
                 context: Context, session: DbSession) -> Response:  # fmt: skip
    return _page(request, context, session)


@router.post("/admin/sources")
def create_source(request: Request, user: Annotated[SignedIn, Depends(require_role("admin"))],
                  context: Context, session: DbSession,
                  name: Annotated[str, Form()]) -> Response:  # fmt: skip
    from tenure.tracking import service as tracking

    try:
        created = tracking.create_source(session, name)
    except TenureError as error:
        session.rollback()
        return _page(request, context, session, status=error.status, error=error.message, name=name)
    session.flush()
    response = _page(request, context, session, created=created)
    response.headers["Cache-Control"] = "no-store"  # the key must not linger in caches
    return response
