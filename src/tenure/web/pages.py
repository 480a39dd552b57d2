"""The registry of web page routers. A page area adds its `views` module here.

Each module exposes `router`, made with `tenure.web.auth.page_router()` so that every
unsafe request it serves is CSRF-checked.
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

PAGE_MODULES = (
    "tenure.web.views.login",
    "tenure.web.views.home",
    "tenure.web.views.portfolio",
    "tenure.web.views.accounts",
    "tenure.web.views.tasks",
    "tenure.web.dashboards.views",
    "tenure.web.renewals.views",
    "tenure.web.admin.views",
)


def PAGES() -> list[APIRouter]:  # noqa: N802 - reads as the registry it is
    return [import_module(name).router for name in PAGE_MODULES]
