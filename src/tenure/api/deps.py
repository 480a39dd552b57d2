"""FastAPI dependencies: the app context and a request-scoped unit of work."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work


def get_context(request: Request) -> AppContext:
    return request.app.state.context


def get_session(request: Request) -> Iterator[Session]:
    """The route's transaction: committed when the route returns, rolled back on error."""
    with unit_of_work(get_context(request).sessions) as session:
        yield session
