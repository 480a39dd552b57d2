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
from collections import Counter
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from tenure.errors import TenureError
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.tracking import jsontext, service
from tenure.tracking.fastpath import Rows, track_row
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
        body = jsontext.loads(raw)
    except ValueError as error:  # UnicodeDecodeError is one
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


# Why a message was rejected, as a stable code (counted per source, see `RejectedCounts`).
NOT_OBJECT, TOO_LARGE, UNSUPPORTED, INVALID, NO_USER, OVER_LIMIT = (
    "not_object", "too_large", "unsupported_type", "invalid", "no_user", "over_batch_limit"
)


def _message(raw: Any, size_checked: bool) -> Message | tuple[str, str]:
    """A validated message, or (reason code, reason) why it is rejected."""
    if not isinstance(raw, dict):
        return NOT_OBJECT, "a message must be a JSON object"
    if size_checked and _over_size(raw):
        return TOO_LARGE, "message over 32 KB"
    if raw.get("type") not in service.HANDLERS:
        return UNSUPPORTED, f"unsupported message type {raw.get('type')!r}"
    try:
        message: Message = MESSAGE.validate_python(raw)
    except ValidationError as error:
        return INVALID, _reason(error)
    if message.user_id is None and message.anonymous_id is None:
        return NO_USER, "no userId or anonymousId"
    return message


def _over_size(raw: dict[str, Any]) -> bool:
    """Over 32 KB as compact, ASCII-escaped JSON. That text is at most 3x orjson's UTF-8
    (an escape `\\uXXXX` is 6 characters for 2-3 bytes), so most messages need no
    stdlib serialisation (~5x slower)."""
    try:
        if 3 * len(orjson.dumps(raw)) <= MAX_MESSAGE_BYTES:
            return False
    except orjson.JSONEncodeError:  # an integer past 64 bits
        pass
    return len(json.dumps(raw, separators=(",", ":"))) > MAX_MESSAGE_BYTES


def _with_shared_context(raw: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """The message with the batch's context filling in keys its own context lacks (a
    context that is not an object is left for validation to reject)."""
    own = raw.get("context")
    if own is not None and not isinstance(own, dict):
        return raw
    return {**raw, "context": {**shared, **(own or {})}}


def _raw_messages(body: dict[str, Any], kind: str) -> list[Any]:
    if kind != "batch":
        return [{**body, "type": kind}]
    raw_messages = body.get("batch")
    if not isinstance(raw_messages, list):
        raise InvalidBody("a batch body needs a `batch` list of messages")
    return raw_messages


def messages(
    body: dict[str, Any], kind: str, size: int
) -> tuple[list[Message | Rows], list[Rejection], Counter[str]]:
    """The valid messages of a body, the rejected ones and the rejections per reason code.
    `kind` is the endpoint's type. Runs of plain `track` messages come back as stored
    columns (`fastpath.Rows`), the others as validated pydantic messages, in body order."""
    raw_messages = _raw_messages(body, kind)
    shared = body.get("context") if kind == "batch" else None
    shared = shared if isinstance(shared, dict) else None
    size_checked = size > MAX_MESSAGE_BYTES
    accepted: list[Message | Rows] = []
    rejected: list[Rejection] = []
    codes: Counter[str] = Counter()
    rows = Rows()  # the current run of plain tracks, in `accepted` once it has one
    for index, raw in enumerate(raw_messages):
        if index >= MAX_BATCH_MESSAGES:
            result: Any = OVER_LIMIT, f"past the {MAX_BATCH_MESSAGES}th message of a batch"
        elif type(raw) is dict and raw.get("type") == "track" and not (
            size_checked and (shared is not None or _over_size(raw))
        ) and track_row(raw, shared, rows):
            if len(rows) == 1:
                accepted.append(rows)
            continue
        else:
            if shared is not None and isinstance(raw, dict):
                raw = _with_shared_context(raw, shared)
            result = _message(raw, size_checked)
        if isinstance(result, tuple):
            code, reason = result
            codes[code] += 1
            message_id = raw.get("messageId") if isinstance(raw, dict) else None
            rejected.append(Rejection(index=index, message_id=_text(message_id), reason=reason))
        else:
            accepted.append(result)
            if len(rows):
                rows = Rows()
    return accepted, rejected, codes


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
