"""The schema check run by commands that need the operational database.

An embedded SQLite database is upgraded in place automatically, since it belongs to this
one installation; any other database (PostgreSQL shared by several processes) must be
upgraded deliberately with `tenure init`, so a web process never migrates a production
database behind its operators' backs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic.util.exc import CommandError
from sqlalchemy.orm import Session

from tenure.cli.common import app_context, err_console
from tenure.errors import Unavailable
from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work


def ensure_schema(context: AppContext) -> None:
    """Bring an embedded SQLite database to the current schema; refuse anything else stale."""
    engine = context.engine
    head = migrate.head_revision()
    current = migrate.current_revision(engine)
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if engine.url.get_backend_name() == "sqlite":
        try:
            migrate.upgrade(engine)
        except CommandError as error:  # e.g. a database written by a newer Tenure
            raise Unavailable(f"cannot upgrade {where}: {error}") from error
        err_console.print(f"Database {where} upgraded to schema {head}.", markup=False)
        return
    raise Unavailable(
        f"the database {where} is at schema {current or 'none'} but this Tenure needs "
        f"{head}: run `tenure init` first"
    )


@contextmanager
def checked_session() -> Iterator[Session]:
    """A unit of work on the operational database, after `ensure_schema`."""
    with app_context() as context:
        ensure_schema(context)
        with unit_of_work(context.sessions) as session:
            yield session
