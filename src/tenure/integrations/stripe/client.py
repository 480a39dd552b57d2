"""The sync's Stripe API client: the official library, pointed at TENURE_STRIPE_API_BASE,
listing every customer, subscription (all statuses) and invoice with auto-paging
(`starting_after` the last id of each page)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import stripe

from tenure.config import Settings
from tenure.errors import Invalid, Unavailable

PAGE_SIZE = 100


class StripeApi:
    def __init__(self, api_key: str, api_base: str, page_size: int = PAGE_SIZE) -> None:
        self._client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base.rstrip("/")}, max_network_retries=2
        )
        self._page_size = page_size

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeApi:
        if settings.stripe_api_key is None:
            raise Invalid("set TENURE_STRIPE_API_KEY to a Stripe secret or restricted key")
        return cls(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)

    def customers(self) -> Iterator[dict[str, Any]]:
        return self._every(self._client.v1.customers.list, {})

    def subscriptions(self) -> Iterator[dict[str, Any]]:
        return self._every(self._client.v1.subscriptions.list, {"status": "all"})

    def invoices(self) -> Iterator[dict[str, Any]]:
        return self._every(self._client.v1.invoices.list, {})

    def sources(self) -> dict[str, Callable[[], Iterator[dict[str, Any]]]]:
        return {"customers": self.customers, "subscriptions": self.subscriptions,
                "invoices": self.invoices}

    def _every(
        self, method: Callable[..., Any], params: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        try:
            page = method(params={"limit": self._page_size, **params})
            for item in page.auto_paging_iter():
                yield item.to_dict(for_json=True)
        except stripe.AuthenticationError as error:
            raise Invalid(f"Stripe refused the API key: {error.user_message or error}") from None
        except stripe.StripeError as error:
            raise Unavailable(f"Stripe API error: {error.user_message or error}") from None
