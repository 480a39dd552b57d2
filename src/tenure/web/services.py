"""Services of other domains that may not be installed yet, looked up when a page needs
them; a missing one makes the page show an empty state instead of failing."""

from __future__ import annotations

import logging
from importlib import import_module
from types import ModuleType

log = logging.getLogger("tenure.web")


def optional(module: str, function: str) -> ModuleType | None:
    """The module if it imports and has `function`, else None."""
    try:
        found = import_module(module)
    except ImportError:
        log.info("%s is not available; the page shows an empty state", module)
        return None
    return found if hasattr(found, function) else None
