"""Scorecard files under TENURE_HOME/scorecards: `<name>.yaml` is the current version,
`history/<name>/v<N>.yaml` keeps every version ever saved. The package's defaults
(`default_scorecards/`) are copied there on first use."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

from tenure.config import Settings
from tenure.errors import Invalid, NotFound
from tenure.health.scorecards import DEFAULT_NAME, Scorecard, dump_yaml, load_yaml


def scorecard_dir(settings: Settings) -> Path:
    return settings.home / "scorecards"


def _write(path: Path, text: str) -> None:
    """Atomic: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def shipped_scorecards() -> list[Scorecard]:
    folder = resources.files("tenure.health") / "default_scorecards"
    return [
        load_yaml(entry.read_text(encoding="utf-8"), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]


def ensure_defaults(settings: Settings) -> Path:
    """Copy the shipped scorecards when the folder has none yet."""
    folder = scorecard_dir(settings)
    if folder.is_dir() and any(folder.glob("*.yaml")):
        return folder
    for card in shipped_scorecards():
        text = dump_yaml(card)
        _write(folder / "history" / card.name / f"v{card.version}.yaml", text)
        _write(folder / f"{card.name}.yaml", text)
    return folder


def _read(path: Path) -> Scorecard:
    card = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if card.name != path.stem:
        raise Invalid(f"{path}: name: {card.name!r} differs from the file name {path.stem!r}")
    return card


def load_all(settings: Settings) -> list[Scorecard]:
    """Every current scorecard in matching order (by `order`, then name; default last)."""
    folder = ensure_defaults(settings)
    cards = [_read(path) for path in sorted(folder.glob("*.yaml"))]
    if not any(card.name == DEFAULT_NAME for card in cards):
        raise Invalid(f"{folder}: no {DEFAULT_NAME}.yaml scorecard (the fallback)")
    return sorted(cards, key=lambda c: (c.name == DEFAULT_NAME, c.order, c.name))


def get(settings: Settings, name: str, version: int | None = None) -> Scorecard:
    folder = ensure_defaults(settings)
    path = folder / f"{name}.yaml" if version is None else _history(settings, name, version)
    if not path.is_file():
        what = f"scorecard {name!r}" + (f" version {version}" if version else "")
        raise NotFound(f"{what} not found")
    return _read_versioned(path) if version is not None else _read(path)


def _read_versioned(path: Path) -> Scorecard:
    return load_yaml(path.read_text(encoding="utf-8"), str(path))


def _history(settings: Settings, name: str, version: int) -> Path:
    return scorecard_dir(settings) / "history" / name / f"v{version}.yaml"


def versions(settings: Settings, name: str) -> list[int]:
    folder = ensure_defaults(settings) / "history" / name
    found = [int(p.stem[1:]) for p in folder.glob("v*.yaml") if p.stem[1:].isdigit()]
    return sorted(found)


def save(settings: Settings, card: Scorecard) -> Scorecard:
    """Store `card` as the next version of its name (version numbers are assigned here)."""
    ensure_defaults(settings)
    known = versions(settings, card.name)
    saved = card.model_copy(update={"version": (known[-1] + 1) if known else 1})
    text = dump_yaml(saved)
    load_yaml(text, f"{card.name}.yaml")  # round-trips: never store what cannot be read
    _write(_history(settings, saved.name, saved.version), text)
    _write(scorecard_dir(settings) / f"{saved.name}.yaml", text)
    return saved
