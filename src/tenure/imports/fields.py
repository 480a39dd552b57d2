"""Cell parsers shared by the CSV row kinds.

A parser turns one non-empty, stripped cell into a Python value or raises `ValueError`
whose message is the reason shown to the user (`file:row:column: reason`). Parsers are
plain functions (built once per column) so that validating 100,000 rows stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

Parser = Callable[[str], Any]

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
_GROUPED_INTEGER = re.compile(r"\d{1,3}(?:,\d{3})+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_MONTH = re.compile(r"\d{4}-\d{2}")
_MONEY_PLACES = 4  # models.types.Money is Numeric(18, 4)
_MONEY_INTEGER_DIGITS = 14


def text(max_length: int) -> Parser:
    def parse(cell: str) -> str:
        if len(cell) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        return cell

    return parse


def integer(minimum: int | None = None, words: Mapping[str, int] | None = None) -> Parser:
    """A whole number ("1,200" accepted); `words` maps e.g. "annual" to 12."""
    lowered = {k.lower(): v for k, v in (words or {}).items()}
    bound = {0: "must not be negative", 1: "must be positive"}.get(
        minimum if minimum is not None else -1, f"must be at least {minimum}"
    )

    def parse(cell: str) -> int:
        if cell.lower() in lowered:
            return lowered[cell.lower()]
        if _GROUPED_INTEGER.fullmatch(cell):
            cell = cell.replace(",", "")
        if not _INTEGER.fullmatch(cell):
            raise ValueError(f"{cell!r} is not a whole number")
        value = int(cell)
        if minimum is not None and value < minimum:
            raise ValueError(f"{value} {bound}")
        return value

    return parse


def money(cell: str) -> Decimal:
    """A non-negative amount in major units with at most 4 decimals; never a float."""
    if not _DECIMAL.fullmatch(cell):
        raise ValueError(f"{cell!r} is not a number")
    value = Decimal(cell)
    if value < 0:
        raise ValueError(f"{cell} is negative; amounts must not be negative")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_MONEY_PLACES:
        raise ValueError(f"{cell} has more than {_MONEY_PLACES} decimal places")
    if value >= Decimal(10) ** _MONEY_INTEGER_DIGITS:
        raise ValueError(f"{cell} is too large")
    return value


def iso_date(cell: str) -> date:
    """An ISO date (2025-03-31); an ISO date-time is accepted and its date kept."""
    try:
        if len(cell) == 10:
            return date.fromisoformat(cell)
        return datetime.fromisoformat(cell).date()
    except ValueError:
        raise ValueError(f"{cell!r} is not a date (use YYYY-MM-DD)") from None


def iso_datetime(cell: str) -> datetime:
    """An ISO date-time or date; no offset means UTC; stored in UTC."""
    try:
        value = datetime.fromisoformat(cell)
    except ValueError:
        raise ValueError(f"{cell!r} is not a date or date-time (use ISO 8601)") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def month(cell: str) -> date:
    """YYYY-MM -> the first day of that month."""
    if not _MONTH.fullmatch(cell):
        raise ValueError(f"{cell!r} is not a month (use YYYY-MM)")
    try:
        return date(int(cell[:4]), int(cell[5:]), 1)
    except ValueError:
        raise ValueError(f"{cell!r} is not a month (use YYYY-MM)") from None


def email(cell: str) -> str:
    if not _EMAIL.fullmatch(cell):
        raise ValueError(f"{cell!r} is not an email address")
    if len(cell) > 320:
        raise ValueError("longer than 320 characters")
    return cell.lower()


def currency(cell: str) -> str:
    if not _CURRENCY.fullmatch(cell):
        raise ValueError(f"{cell!r} is not a 3-letter currency code (e.g. USD)")
    return cell.upper()


def domain(cell: str) -> str:
    """A bare domain: 'https://www.Acme.com/about' -> 'acme.com'."""
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", cell.strip().lower())
    value = value.split("/", 1)[0].split("?", 1)[0]
    value = value.removeprefix("www.")
    if not value or " " in value or len(value) > 300:
        raise ValueError(f"{cell!r} is not a domain or web address")
    return value


def _vocabulary_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def choice(values: type[StrEnum], synonyms: Mapping[str, str] | None = None) -> Parser:
    """One of an enum's values; case, spaces and hyphens are forgiven ("Mid-Market")."""
    allowed = {member.value: member.value for member in values}
    allowed.update({_vocabulary_key(k): v for k, v in (synonyms or {}).items()})
    listing = " ".join(member.value for member in values)

    def parse(cell: str) -> str:
        try:
            return allowed[_vocabulary_key(cell)]
        except KeyError:
            raise ValueError(f"unknown value {cell!r}; expected one of: {listing}") from None

    return parse
