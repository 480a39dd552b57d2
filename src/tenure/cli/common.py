"""What every CLI command shares: the app context, JSON output, the stderr console."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console

from tenure.config import Settings
from tenure.kit.context import AppContext

# stdout carries results: the --json document, or a table for people without --json.
# Progress bars, messages and logs go to stderr.
err_console = Console(stderr=True)
# Rich assumes 80 columns when stdout is a file or pipe and would elide figures with "…".
out_console = Console(width=None if sys.stdout.isatty() else 200)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, default=_default, ensure_ascii=False) + "\n")


@contextmanager
def app_context() -> Iterator[AppContext]:
    context = AppContext(Settings())
    try:
        yield context
    finally:
        context.close()
