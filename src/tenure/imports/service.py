"""`import_file`: the one entry into imports for the CLI, the API and jobs.

The caller owns the transaction (`session`); nothing here commits. Event stores connect
on first use, so importing accounts never creates or locks the DuckDB file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from tenure.config import Settings
from tenure.imports.base import (
    ImportReport,
    ImportRequest,
    ProgressCallback,
    get_kind,
    no_progress,
)
from tenure.usage.store import EventStore


def import_file(
    kind: str,
    path: Path,
    *,
    session: Session,
    settings: Settings,
    events: EventStore,
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
        events=events,
        settings=settings,
        mapping=dict(mapping or {}),
        dry_run=dry_run,
        progress=progress,
    )
    return importer.run(request)
