"""From an HTTP request to validated messages: gzip, size limits, JSON, write key.

Segment's rules: a call is at most 32 KB, a batch at most 500 KB and 2,500 messages. A body
that cannot be decoded (bad gzip, not JSON, not an object, `batch` not a list) is a 400;
a body over the limit a 413. Inside a decodable batch, a message that is invalid (no
userId/anonymousId, a track without event, over 32 KB, an unsupported type, past the
2,500th) is rejected alone and the rest is accepted, as Segment does (it answers 200 and
drops such events); the 200 lists the rejected ones.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import zlib
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from tenure.errors import TenureError
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.tracking import service
from tenure.tracking.schemas import MESSAGE, Message, Rejection
from tenure.tracking.service import SourceRef

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500
KEY_CACHE_SECONDS = 10.0


class InvalidBody(TenureError):
    status = 400


class Unauthorized(TenureError):
    status = 401


class PayloadTooLarge(TenureError):
    status = 413


def _gunzip(raw: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        raise InvalidBody(f"the gzip body cannot be decompressed: {error}") from None
    if len(data) > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KB once decompressed")
    if not inflater.eof:
        raise InvalidBody("the gzip body is truncated")
    return data


def decode(raw: bytes, encoding: str | None, limit: int) -> dict[str, Any]:
    """The JSON object of a request body (gzip allowed), within `limit` bytes."""
    if encoding and encoding.strip().lower() == "gzip":
        raw = _gunzip(raw, limit)
    elif encoding and encoding.strip().lower() not in ("identity", ""):
        raise InvalidBody(f"unsupported Content-Encoding {encoding!r}; use gzip or none")
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KB")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidBody(f"the body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise InvalidBody("the body must be a JSON object")
    return body


def header_key(authorization: str | None) -> str | None:
    """The write key of `Authorization: Basic base64(key:)`, or None without the header."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise Unauthorized("use HTTP Basic auth with the write key as the user name")
    try:
        user, _, _password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("the Authorization header cannot be decoded") from None
    return user or None


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"][1:] or first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def _message(raw: Any, size_checked: bool) -> Message | str:
    """A validated message, or the reason it is rejected."""
    if not isinstance(raw, dict):
        return "a message must be a JSON object"
    if size_checked and len(json.dumps(raw, separators=(",", ":"))) > MAX_MESSAGE_BYTES:
        return "message over 32 KB"
    if raw.get("type") not in service.HANDLERS:
        return f"unsupported message type {raw.get('type')!r}"
    try:
        message: Message = MESSAGE.validate_python(raw)
    except ValidationError as error:
        return _reason(error)
    if message.user_id is None and message.anonymous_id is None:
        return "no userId or anonymousId"
    return message


def messages(
    body: dict[str, Any], kind: str, size: int
) -> tuple[list[Message], list[Rejection]]:
    """The valid messages of a body and the rejected ones. `kind` is the endpoint's type."""
    if kind != "batch":
        raw_messages: list[Any] = [{**body, "type": kind}]
    else:
        raw_messages = body.get("batch")  # type: ignore[assignment]
        if not isinstance(raw_messages, list):
            raise InvalidBody("a batch body needs a `batch` list of messages")
    shared = body.get("context") if kind == "batch" else None
    accepted: list[Message] = []
    rejected: list[Rejection] = []
    for index, raw in enumerate(raw_messages):
        if isinstance(shared, dict) and isinstance(raw, dict):
            raw = {**raw, "context": {**shared, **(raw.get("context") or {})}}
        result = (
            _message(raw, size > MAX_MESSAGE_BYTES)
            if index < MAX_BATCH_MESSAGES
            else f"past the {MAX_BATCH_MESSAGES}th message of a batch"
        )
        if isinstance(result, str):
            message_id = raw.get("messageId") if isinstance(raw, dict) else None
            rejected.append(Rejection(index=index, message_id=_text(message_id), reason=result))
        else:
            accepted.append(result)
    return accepted, rejected


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:200]


class SourceKeys:
    """Write key -> source, remembered for KEY_CACHE_SECONDS (one query per key and period)."""

    def __init__(self, context: AppContext) -> None:
        self.context = context
        self._known: dict[str, tuple[SourceRef, float]] = {}

    def _lookup(self, write_key: str) -> SourceRef | None:
        with unit_of_work(self.context.sessions) as session:
            return service.authenticate(session, write_key)

    async def source(self, write_key: str | None) -> SourceRef:
        if not write_key:
            raise Unauthorized("no write key: use HTTP Basic auth or `writeKey` in the body")
        now = time.monotonic()
        known = self._known.get(write_key)
        if known is not None and known[1] > now:
            return known[0]
        found = await run_in_threadpool(self._lookup, write_key)
        if found is None:
            raise Unauthorized("unknown or inactive write key")
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[write_key] = (found, now + KEY_CACHE_SECONDS)
        return found
