"""Saved views: a user's named filter sets for a page, in `saved_views`. Never commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenure.errors import Conflict, Invalid
from tenure.models.web import SavedView

MAX_VIEWS = 50


@dataclass(frozen=True)
class View:
    id: int
    name: str
    query: str


def list_views(session: Session, user_id: int, page: str) -> list[View]:
    query = select(SavedView).where(SavedView.user_id == user_id, SavedView.page == page)
    return [View(v.id, v.name, v.query) for v in session.scalars(query.order_by(SavedView.name))]


def save_view(session: Session, user_id: int, page: str, name: str, query: str) -> View:
    """Create or replace the user's view of this name."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("a saved view needs a name of 1 to 100 characters")
    existing = session.scalars(
        select(SavedView).where(SavedView.user_id == user_id, SavedView.page == page,
                                SavedView.name == name)
    ).first()
    if existing is None:
        if len(list_views(session, user_id, page)) >= MAX_VIEWS:
            raise Conflict(f"you already have {MAX_VIEWS} saved views; delete one first")
        existing = SavedView(user_id=user_id, page=page, name=name, query=query)
        session.add(existing)
    existing.query = query
    session.flush()
    return View(existing.id, existing.name, existing.query)


def delete_view(session: Session, user_id: int, view_id: int) -> None:
    session.execute(delete(SavedView).where(SavedView.id == view_id, SavedView.user_id == user_id))
    session.flush()
