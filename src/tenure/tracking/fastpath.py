"""Hand-written validation of the common `track` shape, straight to a stored row.

Pydantic costs ~5 us a message; the ingestion hot path is `track` calls sent by the SDKs
(string ids, a messageId, ISO 8601 times, a properties object). `track_row` checks exactly
the rules of `schemas.Track` for that shape with plain `type()`/`len()` tests and returns
the row's values as a tuple, or None when the message is anything else (numeric ids, a
missing messageId, an odd time format, an invalid field...). None is not a rejection: the
caller then validates the message with pydantic as before, which accepts or rejects it
with the usual reason. So both paths accept the same messages and store the same values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenure.tracking import jsontext

MAX_ID = 200

# (message_id, event_time or None, user_id, event, properties JSON or None, group_id)
EventRow = tuple[str, datetime | None, str | None, str, str | None, str | None]

_dumps = jsontext.dumps
_fromisoformat = datetime.fromisoformat
_SLOW = object()


def _time(value: Any) -> Any:
    """A datetime from an ISO 8601 text (`YYYY-MM-DD[T ]HH:MM...`), else _SLOW."""
    if type(value) is str and 19 <= len(value) <= 40 and value[4] == "-" and value[10] in "T ":
        try:
            return _fromisoformat(value)
        except ValueError:
            return _SLOW
    return _SLOW


def _id_ok(value: Any) -> bool:
    return value is None or (type(value) is str and 0 < len(value) <= MAX_ID)


def _group(raw: dict[str, Any], shared: dict[str, Any] | None) -> Any:
    """context.groupId, the batch's shared context filling in keys the message lacks."""
    context = raw.get("context")
    if context is not None:
        if type(context) is not dict:
            return _SLOW
        if "groupId" in context:
            return context["groupId"]
    return shared.get("groupId") if shared else None


def track_row(raw: Any, shared: dict[str, Any] | None) -> EventRow | None:
    """The stored values of a plain `track` message, or None to take the pydantic path."""
    if type(raw) is not dict:
        return None
    get = raw.get
    message_id = get("messageId")
    if type(message_id) is not str or not 0 < len(message_id) <= MAX_ID:
        return None
    user_id = get("userId")
    anonymous_id = get("anonymousId")
    if (user_id is None and anonymous_id is None) or not (_id_ok(user_id) and _id_ok(anonymous_id)):
        return None
    event = get("event")
    if type(event) is not str or not 0 < len(event) <= MAX_ID:
        return None
    properties = get("properties")
    if properties is not None and type(properties) is not dict:
        return None
    when = None
    for key in ("timestamp", "originalTimestamp"):
        value = get(key)
        if value is not None:
            parsed = _time(value)
            if parsed is _SLOW:
                return None
            when = when or parsed
    group = _group(raw, shared)
    if group is _SLOW or not _id_ok(group):
        return None
    text = None if properties is None else _dumps(properties)
    return (message_id, when, user_id, event, text, group)
