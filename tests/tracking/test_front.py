"""The raw ASGI front handler of `POST /v1/*` and the orjson-based JSON of the hot path."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tenure.tracking import jsontext
from tenure.tracking.front import TrackingFront
from tests.tracking.conftest import stored
from tests.tracking.test_api import auth, track

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.text(max_size=8)
    | st.floats(allow_nan=True, allow_infinity=True),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


def _same(left: Any, right: Any) -> bool:
    """Equal, NaN equal to NaN and types alike (1 is not 1.0)."""
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return bool(left == right)


@settings(max_examples=400, deadline=None)
@given(json_values, st.sampled_from([{}, {"ensure_ascii": False}, {"indent": 1}]))
def test_loads_reads_every_document_as_the_stdlib_does(value: Any, style: dict[str, Any]) -> None:
    raw = json.dumps(value, **style).encode()
    assert _same(jsontext.loads(raw), json.loads(raw))


def _outcome(read: Callable[[bytes], Any], raw: bytes) -> Any:
    try:
        return ("ok", json.dumps(read(raw)))
    except ValueError as error:
        return ("error", type(error).__name__, str(error))


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b'{"a": 1', b"[1,]", b'{"a": 01}', b'"\xff"', b"\xef\xbb\xbf{}",
                     '{"a": "é"}'.encode("utf-16"), b'{"a": NaN, "b": -Infinity}', b"",
                     b'{"big": 123456789012345678901234567890}', b'{"a": 1e400}', b"nul"]),
))
def test_loads_accepts_and_refuses_like_the_stdlib_with_its_messages(raw: bytes) -> None:
    assert _outcome(jsontext.loads, raw) == _outcome(json.loads, raw)


def test_lone_surrogates_become_replacement_characters_and_deep_nesting_is_refused() -> None:
    raw = b'{"k\\udc00": ["\\ud800x", "ok \\ud83d\\ude00"]}'
    assert jsontext.loads(raw) == {"k\ufffd": ["\ufffdx", "ok \U0001f600"]}
    with pytest.raises(ValueError):
        jsontext.loads(b"[" * 100_000 + b"]" * 100_000)


def test_dumps_is_compact_json_with_nan_as_null() -> None:
    value = {"a": float("nan"), "b": [float("-inf"), 1.5], "c": "é", "d": 2**70}
    assert jsontext.dumps(value) == '{"a":null,"b":[null,1.5],"c":"é","d":1180591620717411303424}'
    assert jsontext.dumps({"a": 1, "b": None}) == '{"a":1,"b":null}'


REQUESTS: list[tuple[str, bytes, dict[str, str]]] = [
    ("/v1/batch", json.dumps({"batch": [track(messageId="a"), track(messageId="b")]}).encode(), {}),
    ("/v1/track", json.dumps(track(messageId="c")).encode(), {}),
    ("/v1/batch", json.dumps({"batch": [track(messageId="d"), {"type": "alias"}, 3]}).encode(), {}),
    ("/v1/batch", b"{not json", {}),
    ("/v1/batch", b"[1]", {}),
    ("/v1/batch", b'{"batch": 1}', {}),
    ("/v1/batch", b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}),
    ("/v1/batch", b"{}", {"Content-Encoding": "br"}),
    ("/v1/track", json.dumps(track(blob="x" * 33_000)).encode(), {}),
    ("/v1/batch", gzip.compress(json.dumps({"batch": [track(p="x" * 600_000)]}).encode()),
     {"Content-Encoding": "gzip"}),
    ("/v1/batch", b'{"batch": []}', {"Authorization": "Bearer nope"}),
    ("/v1/batch", b'{"batch": []}', {"Authorization": "Basic d2tfbm9wZTo="}),
    ("/v1/batch", b'{"batch": [], "writeKey": "wk_nope"}', {"Authorization": ""}),
]


def _answers(client: TestClient, write_key: str) -> list[tuple[int, Any]]:
    found = []
    for path, content, headers in REQUESTS:
        answer = client.post(path, content=content, headers={**auth(write_key), **headers})
        found.append((answer.status_code, answer.json(), answer.headers["content-type"]))
    return found


def test_front_handler_and_fastapi_routes_answer_alike(
    context: AppContext, write_key: str
) -> None:
    with TestClient(create_app(context, run_jobs=False)) as client:
        assert client.app.fronts  # type: ignore[attr-defined]
        fast = _answers(client, write_key)
    with TestClient(create_app(context, run_jobs=False)) as client:
        client.app.fronts = ()  # type: ignore[attr-defined]  # FastAPI's own routes
        routed = _answers(client, write_key)
    assert fast == routed
    assert [status for status, _, _ in fast] == [200] * 3 + [400] * 5 + [413] * 2 + [401] * 3
    assert fast[2][1]["rejected"] == [
        {"index": 1, "messageId": None, "reason": "unsupported message type 'alias'"},
        {"index": 2, "messageId": None, "reason": "a message must be a JSON object"},
    ]
    assert sorted(row["message_id"] for row in stored(context)) == ["a", "b", "c", "d"]


def test_tracking_calls_skip_fastapi_routing_and_middleware(
    context: AppContext, write_key: str
) -> None:
    app = create_app(context, run_jobs=False)
    app.router.routes = [r for r in app.router.routes if not getattr(r, "path", "").startswith("/v1/")]
    with TestClient(app) as client:
        answer = client.post("/v1/batch", json={"batch": [track()]}, headers=auth(write_key))
        assert answer.status_code == 200 and answer.json() == {"success": True}
        assert "content-security-policy" not in answer.headers
        assert client.get("/v1/batch").status_code in (404, 405)  # GET is not taken
    assert len(stored(context)) == 1


def test_an_oversized_body_is_refused_early_and_the_connection_serves_on(
    serve: Callable[..., str], context: AppContext, write_key: str
) -> None:
    base = serve()
    with httpx.Client(base_url=base, headers=auth(write_key), timeout=30) as client:
        big = client.post("/v1/batch", content=b'{"batch": [' + b" " * 2_000_000 + b"]}")
        assert big.status_code == 413 and big.json()["code"] == "PayloadTooLarge"
        assert "500 KB" in big.json()["message"]
        answer = client.post("/v1/batch", json={"batch": [track(messageId="after")]})
        assert answer.status_code == 200
    assert [row["message_id"] for row in stored(context)] == ["after"]


def test_messages_that_used_to_fail_their_commit_are_stored(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    """A lone surrogate cannot be encoded as UTF-8 and NaN is not JSON (PostgreSQL's jsonb
    refuses it): such messages failed their whole commit with a 503, on every retry."""
    bodies = [
        b'{"type": "track", "userId": "u", "event": "e\\ud800", "messageId": "m1\\udc00"}',
        b'{"type": "track", "userId": "u", "event": "e", "messageId": "m2",'
        b' "properties": {"x": NaN, "y": "\\ud800", "big": 123456789012345678901234567890}}',
        b'{"type": "page", "userId": "u", "name": "N\\ud800", "messageId": "m3",'
        b' "properties": {"x": Infinity}}',
    ]
    for path, body in zip(("/v1/track", "/v1/track", "/v1/page"), bodies, strict=True):
        answer = client.post(path, content=body, headers=auth(write_key))
        assert answer.status_code == 200 and answer.json() == {"success": True}, answer.text
    rows = {row["message_id"]: row for row in stored(context)}
    assert rows["m1\ufffd"]["event"] == "e\ufffd"
    assert json.loads(rows["m2"]["properties"]) == {
        "x": None, "y": "\ufffd", "big": 123456789012345678901234567890}
    assert json.loads(rows["m3"]["properties"]) == {"x": None, "name": "N\ufffd"}


def test_message_size_limit_inside_big_batches_counts_escaped_characters(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    """Inside a body over 32 KB each message is measured as compact ASCII-escaped JSON
    (an `é` counts 6): the orjson shortcut must not change which messages pass."""
    batch = [track(messageId="fits", properties={"t": "é" * 5300}),
             track(messageId="over", properties={"t": "é" * 5500}),
             track(messageId="plain", properties={"t": "x" * 30_000})]
    answer = client.post("/v1/batch", json={"batch": batch}, headers=auth(write_key))
    assert [(r["messageId"], r["reason"]) for r in answer.json()["rejected"]] == [
        ("over", "message over 32 KB")]
    assert sorted(row["message_id"] for row in stored(context)) == ["fits", "plain"]


def test_a_client_gone_before_its_body_gets_no_answer(context: AppContext) -> None:
    app = create_app(context, run_jobs=False)
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/batch", "headers": []}
    front = TrackingFront(app)
    assert front.takes(scope)
    asyncio.run(front(scope, receive, send))
    assert sent == []


def test_the_tracking_routes_stay_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {f"/v1/{kind}" for kind in ("identify", "track", "page", "screen", "group",
                                        "batch")} <= set(paths)
    assert "post" in paths["/v1/batch"]
