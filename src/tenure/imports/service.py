"""`import_file`: the one entry into imports for the CLI, the API and jobs.

The caller owns the transaction (`session`); nothing here commits. The event store is
opened only if the kind uses it (`events` kind), so importing accounts never creates or
locks the DuckDB file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pyarrow as pa
from sqlalchemy.orm import Session

from tenure.config import Settings
from tenure.imports.base import (
    ImportReport,
    ImportRequest,
    ProgressCallback,
    get_kind,
    no_progress,
)
from tenure.usage.store import EventStats, EventStore


class LazyEventStore:
    """An `EventStore` that opens the real one on first use.

    It never closes the store it opened: whoever made it (the app context) does.
    """

    def __init__(self, open_store: Callable[[], EventStore]) -> None:
        self._open = open_store
        self._store: EventStore | None = None

    @property
    def _target(self) -> EventStore:
        if self._store is None:
            self._store = self._open()
        return self._store

    @property
    def url(self) -> str:
        return self._target.url

    def ensure_schema(self) -> None:
        self._target.ensure_schema()

    def append(self, events: pa.Table, *, deduplicate: bool = True) -> int:
        return self._target.append(events, deduplicate=deduplicate)

    def stats(self) -> EventStats:
        return self._target.stats()

    def close(self) -> None:
        return None


def import_file(
    kind: str,
    path: Path,
    *,
    session: Session,
    settings: Settings,
    events: Callable[[], EventStore],
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    """Validate `path` as `kind` and, unless `dry_run`, upsert it; all or nothing.

    Raises `InputRejected` listing every problem, or `Invalid` for an unknown kind.
    """
    importer = get_kind(kind)
    request = ImportRequest(
        path=Path(path),
        session=session,
        events=LazyEventStore(events),
        settings=settings,
        mapping=dict(mapping or {}),
        dry_run=dry_run,
        progress=progress,
    )
    return importer.run(request)
