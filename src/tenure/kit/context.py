"""The running application's wiring: settings, database engine, sessions, event store.

Built once per entry point (CLI command, server, test) from one Settings object.
Nothing connects until first used.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tenure.config import Settings
from tenure.kit.db import make_engine, make_session_factory

if TYPE_CHECKING:
    from tenure.usage.store import EventStore


class AppContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        self.settings.ensure_home()
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def events(self) -> EventStore:
        from tenure.usage.store import open_event_store

        self.settings.ensure_home()
        return open_event_store(self.settings.resolved_events_url)

    def close(self) -> None:
        if "events" in self.__dict__:
            self.events.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
