"""A tiny fake of the Stripe API's list endpoints on 127.0.0.1 (the outside world that
cannot run here): /v1/customers, /v1/subscriptions, /v1/invoices with Stripe's paging
(`limit`, `starting_after`, `has_more`), bearer-key auth and Stripe-shaped errors.
It serves at most `max_page` objects per page whatever `limit` asks, to force paging."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

API_KEY = "sk_test_fake_0123456789"


@dataclass
class FakeStripe:
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    max_page: int = 2
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def page(self, resource: str, query: dict[str, str]) -> dict[str, Any]:
        items = self.objects.get(resource, [])
        if resource == "subscriptions" and query.get("status") != "all":
            items = [s for s in items if s["status"] != "canceled"]  # Stripe's default
        start = 0
        if "starting_after" in query:
            start = next(i for i, o in enumerate(items) if o["id"] == query["starting_after"]) + 1
        size = min(int(query.get("limit", 10)), self.max_page)
        chunk = items[start : start + size]
        return {"object": "list", "url": f"/v1/{resource}", "data": chunk,
                "has_more": start + size < len(items)}


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_fake")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            fake.requests.append((url.path, query))
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._send(401, {"error": {"type": "invalid_request_error",
                                           "message": "Invalid API Key provided"}})
                return
            resource = url.path.removeprefix("/v1/")
            if resource not in ("customers", "subscriptions", "invoices"):
                self._send(404, {"error": {"type": "invalid_request_error",
                                           "message": f"Unrecognized request URL (GET: {url.path})"}})
                return
            self._send(200, fake.page(resource, query))

    return Handler


@contextmanager
def running(fake: FakeStripe) -> Iterator[FakeStripe]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
