"""The real Segment and RudderStack Python SDKs against a server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from rudderstack.analytics.client import Client as RudderClient
from segment.analytics import Client as SegmentClient

from tenure.kit.context import AppContext
from tests.tracking.conftest import stored


def _send(client: Any, count: int, prefix: str) -> list[str]:
    ids = [f"{prefix}-{i}" for i in range(count)]
    client.group("u0", "acct_1", {"name": "Initech"}, message_id=f"{prefix}-group")
    for i, message_id in enumerate(ids):
        client.track(f"u{i % 10}", "Feature Used", {"i": i, "pad": "x" * 200},
                     message_id=message_id)
    client.flush()
    client.join()
    return ids


def _segment(key: str, base: str, gzip: bool, errors: list[Any]) -> SegmentClient:
    return SegmentClient(key, host=base, gzip=gzip, upload_size=500,
                         on_error=lambda e, batch: errors.append(e), max_queue_size=50_000)


def _rudder(key: str, base: str, gzip: bool, errors: list[Any]) -> RudderClient:
    return RudderClient(key, host=base, gzip=gzip, upload_size=500,
                        on_error=lambda e, batch: errors.append(e), max_queue_size=50_000)


SDKS = {"segment": _segment, "rudderstack": _rudder}


@pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_sdk_batches_are_stored_exactly(
    serve: Callable[..., str], context: AppContext, write_key: str, sdk: str, gzip: bool
) -> None:
    base = serve()
    errors: list[Any] = []
    ids = _send(SDKS[sdk](write_key, base, gzip, errors), 3000, sdk)
    assert errors == []
    rows = stored(context)
    assert sorted(r["message_id"] for r in rows) == sorted(ids)
    # u0 joined acct_1 through the group call sent before its events
    assert {r["account_external_id"] for r in rows if r["user_id"] == "u0"} == {"acct_1"}


def _lose_first_answers(app: Any, lost: int) -> Any:
    """Let the first `lost` batch requests reach the app (their events are stored), then
    replace the answer with a 503 as a broken proxy or network would: the SDK retries."""
    state = {"left": lost}
    lock = threading.Lock()

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/batch":
            await app(scope, receive, send)
            return
        with lock:
            lose = state["left"] > 0
            state["left"] -= lose
        if not lose:
            await app(scope, receive, send)
            return

        async def swallow(message: dict[str, Any]) -> None:
            return None

        await app(scope, receive, swallow)
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body",
                    "body": b'{"code": "Unavailable", "message": "lost"}'})

    return wrapped


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_retried_batches_are_not_stored_twice(
    serve: Callable[..., str], context: AppContext, write_key: str, sdk: str
) -> None:
    base = serve(wrap=lambda app: _lose_first_answers(app, 2))
    errors: list[Any] = []
    ids = _send(SDKS[sdk](write_key, base, True, errors), 1200, sdk)
    assert errors == []
    assert sorted(r["message_id"] for r in stored(context)) == sorted(ids)


def test_bad_write_key_reaches_on_error(
    serve: Callable[..., str], context: AppContext, write_key: str
) -> None:
    base = serve()
    errors: list[Any] = []
    client = _segment("wk_wrong", base, False, errors)
    client.track("u1", "Nope", message_id="x")
    client.flush()
    client.join()
    assert [getattr(e, "status", None) for e in errors] == [401]
    assert stored(context) == []
