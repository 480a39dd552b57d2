"""Helpers of the import tests: write a CSV, run an import in its own transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tenure.errors import InputRejected
from tenure.imports.base import ImportReport
from tenure.imports.service import import_file
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.usage.duckdb_store import duckdb_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def run_import(context: AppContext, kind: str, path: Path, **options: Any) -> ImportReport:
    with unit_of_work(context.sessions) as session:
        report = import_file(
            kind,
            path,
            session=session,
            settings=context.settings,
            events=context.events,
            **options,
        )
    if kind != "events":
        events_file = duckdb_path(context.settings.resolved_events_url)
        assert not events_file.exists(), "an operational import opened the event store"
    return report


def rejected(context: AppContext, kind: str, path: Path, **options: Any) -> list[str]:
    """Run an import that must fail; its problems as 'file:row:column: reason' lines
    (file named without its folder)."""
    with pytest.raises(InputRejected) as caught:
        run_import(context, kind, path, **options)
    folder = f"{path.parent}/"
    return [str(problem).removeprefix(folder) for problem in caught.value.problems]


def rows(context: AppContext, *columns: Any) -> list[tuple[Any, ...]]:
    with context.sessions() as session:
        return [tuple(row) for row in session.execute(select(*columns).order_by(columns[0]))]
