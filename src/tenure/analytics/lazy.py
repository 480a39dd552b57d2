"""Per-account result lists kept as Arrow until a caller looks at them.

A figure's per-account rows arrive from the engine as one Arrow table. Building tens of
thousands of frozen dataclasses with exact Decimals costs 0.1-0.3 s, so a result holds a
`LazyRows` instead: an immutable sequence that converts the whole table to objects
(with `make`) the first time anything reads an element, once. `len()` and `arrow` never
convert. It compares equal to any sequence (tuple, list, another LazyRows) with the
same elements, so results stay comparable values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import pyarrow as pa

T = TypeVar("T")


class LazyRows(Sequence[T], Generic[T]):
    __slots__ = ("_table", "_make", "_items")

    def __init__(self, table: pa.Table, make: Callable[[dict[str, Any]], T]) -> None:
        self._table = table
        self._make = make
        self._items: tuple[T, ...] | None = None

    @property
    def arrow(self) -> pa.Table:
        """The rows as the engine returned them (no Python objects built)."""
        return self._table

    def _all(self) -> tuple[T, ...]:
        if self._items is None:
            self._items = tuple(self._make(row) for row in self._table.to_pylist())
        return self._items

    def __len__(self) -> int:
        return self._table.num_rows

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self._all()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyRows, tuple, list)):
            return len(self) == len(other) and self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"LazyRows({len(self)} rows)"
