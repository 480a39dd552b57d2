"""The registry of API routers. A domain adds its `endpoints` module here."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

ROUTER_MODULES = (
    "tenure.api.health",
    "tenure.accounts.endpoints",
    "tenure.contacts.endpoints",
    "tenure.subscriptions.endpoints",
    "tenure.metrics.endpoints",
    "tenure.usage.endpoints",
    "tenure.retention.endpoints",
    "tenure.tracking.endpoints",
    "tenure.integrations.stripe.endpoints",
    "tenure.health.endpoints",
    "tenure.risk.endpoints",
    "tenure.tasks.endpoints",
    "tenure.lifecycle.endpoints",
    "tenure.churn.endpoints",
)


def ROUTERS() -> list[APIRouter]:  # noqa: N802 - reads as the registry it is
    return [import_module(name).router for name in ROUTER_MODULES]
