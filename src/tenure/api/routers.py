"""The registry of API routers. A domain adds its `endpoints.router` here."""

from __future__ import annotations

from fastapi import APIRouter


def ROUTERS() -> list[APIRouter]:  # noqa: N802 - reads as the registry it is
    from tenure.accounts import endpoints as accounts
    from tenure.api import health
    from tenure.contacts import endpoints as contacts
    from tenure.metrics import endpoints as metrics
    from tenure.subscriptions import endpoints as subscriptions

    return [health.router, accounts.router, contacts.router, subscriptions.router, metrics.router]
