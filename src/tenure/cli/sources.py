"""CLI commands: sources (filled in by its domain's work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
