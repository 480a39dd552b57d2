"""FastAPI dependencies: the app context, a request-scoped unit of work, paging."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Query, Request
from sqlalchemy.orm import Session

from tenure.errors import NotFound
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.pagination import MAX_LIMIT, PageParams
from tenure.kit.timeutil import utcnow


def get_context(request: Request) -> AppContext:
    return request.app.state.context


def get_session(request: Request) -> Iterator[Session]:
    """The route's transaction: committed when the route returns, rolled back on error."""
    with unit_of_work(get_context(request).sessions) as session:
        yield session


def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="Items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


def get_today() -> date:
    return utcnow().date()


def account_id_of(session: Session, external_id: str | None) -> int | None:
    """Resolve an `account` filter given by external id; unknown ids are a 404."""
    if external_id is None:
        return None
    from tenure.accounts import service as accounts

    found = accounts.account_ids(session, [external_id])
    if external_id not in found:
        raise NotFound(f"no account with external_id {external_id!r}")
    return found[external_id]
