"""Errors that carry their HTTP status; rendered in one place (API and CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field


class TenureError(Exception):
    """Base error: a message for people and the HTTP status it maps to."""

    status: int = 500

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(TenureError):
    status = 404


class Invalid(TenureError):
    status = 422


class Conflict(TenureError):
    status = 409


class Unavailable(TenureError):
    status = 503


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located by row and column (row 1 is the header)."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts) + f": {self.reason}"


@dataclass
class InputRejected(TenureError):
    """An input refused whole, with the problems found in it. `total` counts every
    problem when only the first ones are listed (huge files)."""

    problems: list[Problem] = field(default_factory=list)
    total: int | None = None
    status: int = 422

    def __post_init__(self) -> None:
        first = str(self.problems[0]) if self.problems else "input rejected"
        others = (self.total or len(self.problems)) - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others > 0 else ""
        self.message = first + more
        Exception.__init__(self, self.message)
