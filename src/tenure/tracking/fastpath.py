"""Hand-written validation of the common `track` shape, straight to stored columns.

Pydantic costs ~5 us a message; the ingestion hot path is `track` calls sent by the SDKs
(string ids, a messageId, ISO 8601 times, a properties object). `track_row` checks exactly
the rules of `schemas.Track` for that shape with plain `type()`/`len()` tests and appends
the row's values to a `Rows` (columns, no object per message), or returns False when the
message is anything else (numeric ids, a missing messageId, an odd time format, an invalid
field...). False is not a rejection: the caller then validates the message with pydantic
as before, which accepts or rejects it with the usual reason. So both paths accept the
same messages and store the same values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenure.tracking import jsontext

MAX_ID = 200



class Rows:
    """Consecutive plain `track` messages of one request, column by column: message id,
    event time (None: when received), user id, event, properties JSON text, context
    groupId. `lookups`: some row has a user but no groupId (attributed by the writer)."""

    __slots__ = ("message_ids", "times", "user_ids", "events", "properties", "groups",
                 "lookups")

    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.times: list[datetime | None] = []
        self.user_ids: list[str | None] = []
        self.events: list[str] = []
        self.properties: list[str | None] = []
        self.groups: list[str | None] = []
        self.lookups = False

    def __len__(self) -> int:
        return len(self.message_ids)


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


def _when(timestamp: Any, original: Any) -> Any:
    """`timestamp`, else `originalTimestamp`, else None; _SLOW if either is not a plain
    ISO 8601 text (both are validated, as pydantic does)."""
    when = None if timestamp is None else _time(timestamp)
    if original is None or when is _SLOW:
        return when
    parsed = _time(original)
    return _SLOW if parsed is _SLOW else when or parsed


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


def track_row(raw: Any, shared: dict[str, Any] | None, rows: Rows) -> bool:
    """Append the stored values of a plain `track` message to `rows`; False (nothing
    appended) to take the pydantic path."""
    if type(raw) is not dict:
        return False
    get = raw.get
    message_id = get("messageId")
    if type(message_id) is not str or not 0 < len(message_id) <= MAX_ID:
        return False
    user_id = get("userId")
    anonymous_id = get("anonymousId")
    if (user_id is None and anonymous_id is None) or not (_id_ok(user_id) and _id_ok(anonymous_id)):
        return False
    event = get("event")
    if type(event) is not str or not 0 < len(event) <= MAX_ID:
        return False
    properties = get("properties")
    if properties is not None and type(properties) is not dict:
        return False
    when = _when(get("timestamp"), get("originalTimestamp"))
    group = _group(raw, shared)
    if when is _SLOW or group is _SLOW or not _id_ok(group):
        return False
    text = None if properties is None else _dumps(properties)
    rows.message_ids.append(message_id)
    rows.times.append(when)
    rows.user_ids.append(user_id)
    rows.events.append(event)
    rows.properties.append(text)
    rows.groups.append(group)
    if group is None and user_id is not None:
        rows.lookups = True
    return True
