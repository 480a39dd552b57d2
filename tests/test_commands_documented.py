"""Every CLI command appears in the user guide (DESIGN.md rule 10)."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from tenure.cli.main import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _command_paths(command, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    children = getattr(command, "commands", None)
    if not children:
        return [prefix]
    paths: list[str] = []
    for name, child in sorted(children.items()):
        paths.extend(_command_paths(child, f"{prefix} {name}"))
    return paths


def test_every_command_is_documented() -> None:
    text = "\n".join(path.read_text() for path in DOCS.rglob("*.md"))
    commands = _command_paths(get_command(app), "tenure")
    assert len(commands) > 1
    missing = [command for command in commands if f"`{command}" not in text]
    assert missing == [], f"commands missing from docs/: {missing}"

