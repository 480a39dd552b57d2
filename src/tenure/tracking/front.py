"""The tracking API's hot path: a raw ASGI handler for `POST /v1/{call}`.

FastAPI's routing, dependency injection, response handling and the app's middleware
(security headers for pages, telemetry, body limits) cost more CPU per request than
validating a batch of 100 events does. `tenure.api.app` therefore hands these requests to
`TrackingFront` before FastAPI sees them (see `FRONT_HANDLERS` there). The FastAPI routes
in `endpoints.py` stay registered for the OpenAPI documentation and answer through the
same `answer` function when the front is not installed, so both give identical answers:
200 `{"success":true}` (with `rejected` when messages were refused), 400, 401, 413,
429 + Retry-After, 503, each error as `{"code", "message"}`.

The body is read up to its limit and no further: a body over it is a 413 straight away
(a gzip body may be at most the limit plus `GZIP_SLACK` bytes on the wire; a valid gzip
of a body within the limit is never larger than that).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import orjson

from tenure.errors import TenureError, Unavailable
from tenure.kit.timeutil import utcnow
from tenure.tracking import intake
from tenure.tracking.schemas import Accepted
from tenure.tracking.service import Batch

log = logging.getLogger("tenure.tracking")

SUCCESS = b'{"success":true}'
GZIP_SLACK = 4096  # gzip header and stored-block overhead of an incompressible body

# Endpoint -> the largest body it takes (decoded); single calls name their message type.
CALLS = {
    "identify": intake.MAX_MESSAGE_BYTES,
    "track": intake.MAX_MESSAGE_BYTES,
    "page": intake.MAX_MESSAGE_BYTES,
    "screen": intake.MAX_MESSAGE_BYTES,
    "group": intake.MAX_MESSAGE_BYTES,
    "batch": intake.MAX_BATCH_BYTES,
}
PATHS = {f"/v1/{kind}": kind for kind in CALLS}
JSON_HEADERS = [(b"content-type", b"application/json")]


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def error_answer(error: TenureError) -> Answer:
    """The JSON error body every API route gives (see tenure.api.app)."""
    body = orjson.dumps({"code": type(error).__name__, "message": error.message})
    return Answer(error.status, body, dict(getattr(error, "headers", None) or {}))


async def answer(
    state: Any, kind: str, authorization: str | None, encoding: str | None, raw: bytes
) -> Answer:
    """Store one tracking call (validated, durable) and say how it went; raises the
    TenureError of a refused request."""
    writer = getattr(state, "ingest_writer", None)
    if writer is None:
        raise Unavailable("the ingest writer is not running")
    received_at = utcnow()
    key = intake.header_key(authorization)
    body = intake.decode(raw, encoding, CALLS[kind])
    if key is None and isinstance(body.get("writeKey"), str):
        key = body["writeKey"]
    source = await state.source_keys.source(key)
    accepted, rejected, codes = intake.messages(body, kind, len(raw))
    # Else its ~4 containers per message would live (and be walked by the garbage
    # collector's full collections) for as long as the request waits for its commit.
    del body
    writer.note_rejected(source.name, len(rejected))
    if accepted or codes:
        await asyncio.wrap_future(writer.submit(Batch(source, accepted, received_at, codes)))
    if not rejected:
        return Answer(200, SUCCESS)
    return Answer(200, Accepted(rejected=rejected).model_dump_json(by_alias=True).encode())


class ClientGone(Exception):
    """The client disconnected before its body was read: nothing to answer."""


class TrackingFront:
    """Takes `POST /v1/{call}` ahead of FastAPI and every middleware."""

    def __init__(self, app: Any) -> None:
        self.state = app.state

    def takes(self, scope: dict[str, Any]) -> bool:
        return scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in PATHS

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = PATHS[scope["path"]]
        authorization = encoding = None
        for name, value in scope["headers"]:  # the first of each, as Starlette's get()
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"content-encoding" and encoding is None:
                encoding = value.decode("latin-1")
        try:
            raw = await _body(receive, _wire_limit(CALLS[kind], encoding))
            if raw is None:
                raise intake.PayloadTooLarge(f"the body is over {CALLS[kind] // 1024} KB")
            result = await answer(self.state, kind, authorization, encoding, raw)
        except ClientGone:
            return
        except TenureError as error:
            result = error_answer(error)
        except Exception:  # noqa: BLE001 - answered like ServerErrorMiddleware would
            log.exception("tracking call %s failed", scope["path"])
            result = Answer(500, b"Internal Server Error", {"content-type": "text/plain"})
        await _send(send, result)


def front(app: Any) -> TrackingFront:
    """Front handler factory named in tenure.api.app.FRONT_HANDLERS."""
    return TrackingFront(app)


def _wire_limit(limit: int, encoding: str | None) -> int:
    return limit + GZIP_SLACK if encoding and encoding.strip().lower() == "gzip" else limit


async def _body(receive: Any, limit: int) -> bytes | None:
    """The request body; None as soon as it passes `limit` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _send(send: Any, result: Answer) -> None:
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in result.headers.items()
    ]
    if not any(name == b"content-type" for name, _ in headers):
        headers += JSON_HEADERS
    headers.append((b"content-length", str(len(result.body)).encode()))
    await send({"type": "http.response.start", "status": result.status, "headers": headers})
    await send({"type": "http.response.body", "body": result.body})
