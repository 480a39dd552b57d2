"""The import-kind registry: `tenure import KIND FILE` looks the kind up here.

A kind validates a whole file, lists every problem at once (`InputRejected`), and writes
nothing unless the file is clean: all-or-nothing per file. The entry point owns the
operational transaction (the `session`); kinds that write to the event store make that
write atomic themselves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.orm import Session

from tenure.errors import Invalid

if TYPE_CHECKING:
    from tenure.config import Settings
    from tenure.usage.store import EventStore

# Called as work advances: (rows done so far, total rows or None when unknown).
ProgressCallback = Callable[[int, int | None], None]


def no_progress(_done: int, _total: int | None) -> None:
    return None


@dataclass
class ImportRequest:
    path: Path
    session: Session
    events: EventStore
    settings: Settings
    mapping: dict[str, str] = field(default_factory=dict)  # --map FROM=TO
    dry_run: bool = False
    progress: ProgressCallback = no_progress


@dataclass(frozen=True)
class ImportReport:
    kind: str
    file: str
    rows: int
    inserted: int
    updated: int
    unchanged: int = 0
    dry_run: bool = False
    # Header cells that name no known column (ignored, not an error).
    ignored_columns: tuple[str, ...] = ()
    # Side effects and remarks worth telling the user, e.g. owner users created.
    notes: tuple[str, ...] = ()


class ImportKind(ABC):
    """One importable kind of record. Subclasses register with `@register_kind`."""

    name: ClassVar[str]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]] = ()
    # Header spellings of common CRM/billing exports, lower-cased -> canonical column.
    aliases: ClassVar[dict[str, str]] = {}
    formats: ClassVar[tuple[str, ...]] = ("csv",)

    @abstractmethod
    def run(self, request: ImportRequest) -> ImportReport:
        """Validate the whole file, then (unless dry-run) write it; raise InputRejected."""


IMPORT_KINDS: dict[str, type[ImportKind]] = {}


def register_kind(kind: type[ImportKind]) -> type[ImportKind]:
    IMPORT_KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ImportKind:
    import tenure.imports.kinds  # noqa: F401 - registers every kind

    try:
        return IMPORT_KINDS[name]()
    except KeyError:
        known = " ".join(sorted(IMPORT_KINDS))
        raise Invalid(f"unknown import kind {name!r}; choose one of: {known}") from None
