"""`tenure tasks ...` (filled in by the domain)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the command group once it has commands."""
