"""The registry of API routers. A domain adds its `endpoints.router` here."""

from __future__ import annotations

from fastapi import APIRouter


def ROUTERS() -> list[APIRouter]:  # noqa: N802 - reads as the registry it is
    from tenure.api import health
    from tenure.metrics import endpoints as metrics

    return [health.router, metrics.router]
