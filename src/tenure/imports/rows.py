"""The shared CSV reader and validator of the row kinds (everything but `events`).

`RowKind.run` is the whole life of an import: read and parse every row, check the file
as a whole (duplicate keys, references), raise `InputRejected` with every problem found,
then plan the upsert and write it unless it is a dry run. Kinds declare their columns
and fill in `check` and `save`.
"""

from __future__ import annotations

import csv
from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TextIO

from tenure.errors import InputRejected, Problem
from tenure.imports.base import ImportKind, ImportReport, ImportRequest, ProgressCallback
from tenure.imports.fields import Parser
from tenure.imports.headers import HeaderLayout, resolve_header

PROGRESS_EVERY = 5_000


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False


@dataclass
class ParsedFile:
    """The rows of a file as canonical-column dicts (only columns present in the file)."""

    file: str
    layout: HeaderLayout
    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # file row number of each record
    problems: list[Problem] = field(default_factory=list)

    def problem(self, index: int, column: str | None, reason: str) -> None:
        label = self.layout.labels.get(column, column) if column else None
        self.problems.append(Problem(self.file, self.rows[index], label, reason))

    def raise_if_problems(self) -> None:
        """Reject the file with every problem, by row and then by column position."""
        if not self.problems:
            return
        position = {label: self.layout.positions[c] for c, label in self.layout.labels.items()}

        def order(problem: Problem) -> tuple[int, int]:
            row = -1 if problem.row is None else problem.row
            return row, position.get(problem.column or "", -1)

        raise InputRejected(problems=sorted(self.problems, key=order))


@dataclass(frozen=True)
class SaveResult:
    inserted: int
    updated: int
    unchanged: int
    notes: tuple[str, ...] = ()


def _open_text(path: Path, file: str) -> TextIO:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        handle.read(1 << 16)  # fail early on a binary or non-UTF-8 file
        handle.seek(0)
        return handle
    except FileNotFoundError:
        raise InputRejected(problems=[Problem(file, None, None, "no such file")]) from None
    except IsADirectoryError:
        raise InputRejected(problems=[Problem(file, None, None, "is a directory")]) from None
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
        raise InputRejected(problems=[Problem(file, None, None, reason)]) from None


def _estimate_rows(path: Path) -> int:
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


class RowKind(ImportKind):
    """A CSV kind upserted by a natural key (`external_id` unless the kind says otherwise)."""

    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[str] = "external_id"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "columns" in cls.__dict__:
            cls.required = tuple(c.name for c in cls.columns if c.required)
            cls.optional = tuple(c.name for c in cls.columns if not c.required)

    def run(self, request: ImportRequest) -> ImportReport:
        parsed = self.read(request)
        self.check_duplicate_keys(parsed)
        prepared = self.check(request, parsed)
        parsed.raise_if_problems()
        result = self.save(request, parsed, prepared)
        request.progress(len(parsed.records), len(parsed.records))
        return ImportReport(
            kind=self.name,
            file=str(request.path),
            rows=len(parsed.records),
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            dry_run=request.dry_run,
            ignored_columns=parsed.layout.ignored,
            notes=result.notes,
        )

    @abstractmethod
    def check(self, request: ImportRequest, parsed: ParsedFile) -> Any:
        """Whole-file checks (references...); add problems to `parsed`; return what
        `save` needs (e.g. looked-up ids)."""

    @abstractmethod
    def save(self, request: ImportRequest, parsed: ParsedFile, prepared: Any) -> SaveResult:
        """Plan the upsert and, unless `request.dry_run`, write it (flush, never commit)."""

    def read(self, request: ImportRequest) -> ParsedFile:
        file = str(request.path)
        with _open_text(request.path, file) as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise InputRejected(problems=[Problem(file, None, None, "file is empty")])
            layout, problems = resolve_header(
                file,
                header,
                columns=[c.name for c in self.columns],
                required=self.required,
                aliases=self.aliases,
                mapping=request.mapping,
            )
            parsed = ParsedFile(file, layout, problems=problems)
            total = _estimate_rows(request.path)
            try:
                self._parse_rows(parsed, reader, len(header), request.progress, total)
            except (UnicodeDecodeError, csv.Error) as error:
                row = len(parsed.rows) + 2
                reason = f"unreadable CSV: {error}"
                raise InputRejected(problems=[Problem(file, row, None, reason)]) from None
        return parsed

    def _parse_rows(
        self,
        parsed: ParsedFile,
        reader: Iterator[list[str]],
        width: int,
        progress: ProgressCallback,
        total: int,
    ) -> None:
        bound = [
            (c.name, parsed.layout.positions[c.name], parsed.layout.labels[c.name], c)
            for c in self.columns
            if parsed.layout.has(c.name)
        ]
        problems, file = parsed.problems, parsed.file
        for number, cells in enumerate(reader, start=2):
            if not any(cells) or not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                reason = f"has {len(cells)} cells but the header has {width}"
                problems.append(Problem(file, number, None, reason))
            record: dict[str, Any] = {}
            for name, index, label, column in bound:
                cell = cells[index].strip() if index < len(cells) else ""
                if not cell:
                    if column.required:
                        problems.append(Problem(file, number, label, "a value is required"))
                    else:
                        record[name] = None
                    continue
                try:
                    record[name] = column.parse(cell)
                except ValueError as error:
                    problems.append(Problem(file, number, label, str(error)))
            parsed.records.append(record)
            parsed.rows.append(number)
            if len(parsed.rows) % PROGRESS_EVERY == 0:
                progress(len(parsed.rows), max(total, len(parsed.rows)))

    def check_duplicate_keys(self, parsed: ParsedFile) -> None:
        first_row: dict[Any, int] = {}
        for index, record in enumerate(parsed.records):
            value = record.get(self.key)
            if value is None:
                continue
            if value in first_row:
                shown = self.show_key(value)
                reason = f"duplicate {self.key} {shown} (first on row {first_row[value]})"
                parsed.problem(index, self.key, reason)
            else:
                first_row[value] = parsed.rows[index]

    def show_key(self, value: Any) -> str:
        """A key as problems quote it."""
        return repr(value) if isinstance(value, str) else str(value)
