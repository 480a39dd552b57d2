"""Header recognition: canonical column names, CRM export aliases and `--map FROM=TO`.

Headers are compared by a key that ignores case, spaces and punctuation, so
"External ID", "external_id" and "ExternalId" are the same column, and so are the
alias "Company Domain Name" and "company-domain-name".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tenure.errors import Problem

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


@dataclass(frozen=True)
class HeaderLayout:
    """Where each recognised column sits in the file's rows."""

    positions: dict[str, int]  # canonical column -> cell index
    labels: dict[str, str]  # canonical column -> header text as written in the file
    ignored: tuple[str, ...]  # header cells that name no known column

    def has(self, column: str) -> bool:
        return column in self.positions


def _lookup_table(columns: Sequence[str], aliases: Mapping[str, str]) -> dict[str, str]:
    table = {header_key(alias): target for alias, target in aliases.items()}
    table.update({header_key(column): column for column in columns})
    return table


def _apply_mapping(
    file: str, header: list[str], mapping: Mapping[str, str]
) -> tuple[list[str], list[Problem]]:
    renamed = list(header)
    problems: list[Problem] = []
    keys = [header_key(cell) for cell in header]
    for source, target in mapping.items():
        hits = [i for i, key in enumerate(keys) if key == header_key(source)]
        if not hits:
            problems.append(Problem(file, None, source, f"--map {source}={target}: no such column"))
        for index in hits:
            renamed[index] = target
    return renamed, problems


def resolve_header(
    file: str,
    header: list[str],
    *,
    columns: Sequence[str],
    required: Sequence[str],
    aliases: Mapping[str, str],
    mapping: Mapping[str, str],
) -> tuple[HeaderLayout, list[Problem]]:
    """Match the header row against a kind's columns; list every header problem."""
    renamed, problems = _apply_mapping(file, header, mapping)
    table = _lookup_table(columns, aliases)
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for index, (original, cell) in enumerate(zip(header, renamed, strict=True)):
        column = table.get(header_key(cell))
        if column is None:
            if cell.strip():
                ignored.append(original)
            continue
        if column in positions:
            reason = f"repeats column {labels[column]!r} (both mean {column})"
            problems.append(Problem(file, 1, original, reason))
            continue
        positions[column] = index
        labels[column] = original
    for column in required:
        if column not in positions:
            problems.append(Problem(file, None, column, _missing_reason(column, aliases)))
    return HeaderLayout(positions, labels, tuple(ignored)), problems


def _missing_reason(column: str, aliases: Mapping[str, str]) -> str:
    others = [alias for alias, target in aliases.items() if target == column]
    if not others:
        return "required column is missing"
    return "required column is missing (also recognised as: " + ", ".join(others) + ")"
