"""Rules of the tracking domain: sources and write keys, and what each Segment call does.

Calls are handled by a registry keyed by message type (`HANDLERS`): `group` creates or
updates the account (groupId = the account's external_id) and links the user to it;
`identify` records the user's traits and, once the user's account is known, the contact;
`track`, `page` and `screen` become usage events, attributed to `context.groupId`, else to
the account of the user's latest `group` call, else left unattributed (kept, with a null
account). Nothing here commits: the ingest writer owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa
from sqlalchemy.orm import Session

from tenure.contacts import service as contacts
from tenure.errors import Conflict, Invalid
from tenure.models import TrackedUser
from tenure.tracking import jsontext, repository
from tenure.tracking.columns import EventColumns
from tenure.tracking.fastpath import Rows
from tenure.tracking.schemas import (
    Group,
    Identify,
    Message,
    Page,
    SourceCreated,
    SourceOut,
    Track,
)

KEY_PREFIX = "wk_"
HINT_CHARS = 8
WRITE_BATCH = 1000


@dataclass(frozen=True)
class SourceRef:
    """An authenticated source, as the request path and the writer know it."""

    id: int
    name: str


def hash_key(write_key: str) -> str:
    return hashlib.sha256(write_key.encode()).hexdigest()


def create_source(session: Session, name: str) -> SourceCreated:
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("a source name must have 1 to 100 characters")
    if repository.source_by_name(session, name) is not None:
        raise Conflict(f"a source named {name!r} already exists")
    write_key = KEY_PREFIX + secrets.token_urlsafe(24)
    repository.add_source(session, name, hash_key(write_key), write_key[:HINT_CHARS])
    return SourceCreated(name=name, write_key=write_key)


def list_sources(
    session: Session,
    counts: Mapping[str, tuple[int, int]],
    rejected: Mapping[str, int] | None,
    rejections: Mapping[tuple[str, str], int] | None = None,
) -> list[SourceOut]:
    """Every source with its stored and unattributed events, its rejected messages by
    reason code (`rejections`, persisted) and, from a running server, the messages it
    rejected since it started (`rejected`)."""
    reasons: dict[str, dict[str, int]] = {}
    for (source_name, reason), count in sorted((rejections or {}).items()):
        reasons.setdefault(source_name, {})[reason] = count
    return [
        SourceOut(
            name=source.name,
            write_key_hint=source.write_key_hint,
            is_active=source.is_active,
            created_at=source.created_at,
            events=counts.get(source.name, (0, 0))[0],
            unattributed=counts.get(source.name, (0, 0))[1],
            rejected=sum(reasons.get(source.name, {}).values()),
            rejected_by_reason=reasons.get(source.name, {}),
            rejected_since_start=None if rejected is None else rejected.get(source.name, 0),
        )
        for source in repository.list_sources(session)
    ]


def authenticate(session: Session, write_key: str) -> SourceRef | None:
    source = repository.source_by_key_hash(session, hash_key(write_key))
    if source is None or not source.is_active:
        return None
    return SourceRef(id=source.id, name=source.name)


class AttributionCache:
    """(source id, user id) -> external id of the user's latest group (None: no group),
    for ONE commit: read through from `tracked_users` in the commit's own transaction
    (`_prefetch`, one query per source and commit) and updated by the commit's `group`
    calls. Nothing is kept between commits, so a `group` stored by another server process
    (or an import) is seen by the next commit: correct across processes by construction."""

    def __init__(self) -> None:
        # Bounded by one commit's users (the writer takes at most MAX_COMMIT_EVENTS events);
        # never cleared midway, which would forget the commit's own group calls.
        self._accounts: dict[tuple[int, str], str | None] = {}

    def __contains__(self, key: tuple[int, str]) -> bool:
        return key in self._accounts

    def get(self, key: tuple[int, str]) -> str | None:
        return self._accounts.get(key)

    def put(self, key: tuple[int, str], account: str | None) -> None:
        self._accounts[key] = account


@dataclass
class Batch:
    """The messages of one accepted request."""

    source: SourceRef
    messages: Sequence[Message | Rows]  # Rows: a run of plain tracks (fastpath)
    received_at: datetime
    rejected: Mapping[str, int] = field(default_factory=dict)  # reason code -> messages

    def events(self) -> int:
        """How many messages it holds (a run of plain tracks counts its rows)."""
        return sum(len(m) if type(m) is Rows else 1 for m in self.messages)


@dataclass
class CommitState:
    """What the handlers share while one commit's messages are applied in order."""

    session: Session
    cache: AttributionCache
    events: EventColumns = field(default_factory=EventColumns)
    users: dict[tuple[int, str], TrackedUser] = field(default_factory=dict)

    def user(self, source: SourceRef, user_id: str, seen: datetime) -> TrackedUser:
        key = (source.id, user_id)
        if key not in self.users:
            found = repository.tracked_users(self.session, source.id, [user_id]).get(user_id)
            self.users[key] = found or repository.add_tracked_user(
                self.session, source.id, user_id, seen
            )
        user = self.users[key]
        if user.last_seen_at is None or _aware(user.last_seen_at) < seen:
            user.last_seen_at = seen
        return user

    def add_event(self, batch: Batch, message: Message, event: str, properties: Any) -> None:
        account = message.context.group_id
        if account is None and message.user_id is not None:
            account = self.cache.get((batch.source.id, message.user_id))
        self.events.add(
            message.message_id or _content_id(message),
            batch.source.name,
            message.event_time(batch.received_at),
            batch.received_at,
            account,
            message.user_id,
            event,
            None if properties is None else jsontext.dumps(properties),
        )

    def add_rows(self, batch: Batch, rows: Rows) -> None:
        """A run of plain tracks validated by the fast path (same values as `add_event`)."""
        accounts = rows.groups
        if rows.lookups:
            get, source_id = self.cache.get, batch.source.id
            accounts = [
                group if group is not None or user is None else get((source_id, user))
                for group, user in zip(rows.groups, rows.user_ids, strict=True)
            ]
        self.events.add_rows(rows, batch.source.name, batch.received_at, accounts)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _content_id(message: Message) -> str:
    """A message without messageId gets the hash of its content, so a resent copy of it
    is still recognised as the same message."""
    text = json.dumps(message.model_dump(mode="json", by_alias=True), sort_keys=True)
    return "md5:" + hashlib.md5(text.encode()).hexdigest()


class Handler(Protocol):
    def __call__(self, state: CommitState, batch: Batch, message: Any) -> None: ...


HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in types:
            HANDLERS[name] = handler
        return handler

    return register


@handles("track")
def _track(state: CommitState, batch: Batch, message: Track) -> None:
    state.add_event(batch, message, message.event, message.properties)


@handles("page", "screen")
def _page(state: CommitState, batch: Batch, message: Page) -> None:
    properties = dict(message.properties or {})
    for key in ("name", "category"):
        value = getattr(message, key)
        if value is not None:
            properties.setdefault(key, value)
    state.add_event(batch, message, message.type, properties or None)


@handles("group")
def _group(state: CommitState, batch: Batch, message: Group) -> None:
    from tenure.tracking.traits import upsert_account

    account_id = upsert_account(state.session, message.group_id, message.traits)
    if message.user_id is None:
        return
    user = state.user(batch.source, message.user_id, message.event_time(batch.received_at))
    user.account_id = account_id
    state.cache.put((batch.source.id, message.user_id), message.group_id)
    _link_contact(state.session, user)


@handles("identify")
def _identify(state: CommitState, batch: Batch, message: Identify) -> None:
    if message.user_id is None:
        return  # anonymous traits: nothing to attach them to yet
    user = state.user(batch.source, message.user_id, message.event_time(batch.received_at))
    traits = {**json.loads(user.traits or "{}"), **message.traits}
    user.traits = json.dumps(traits, default=str)
    email = traits.get("email")
    if isinstance(email, str) and "@" in email:
        user.email = email.strip()[:320]
    _link_contact(state.session, user)


def _link_contact(session: Session, user: TrackedUser) -> None:
    from tenure.tracking.traits import contact_record

    if user.account_id is None or not user.email:
        return
    record = contact_record(user.user_id, user.account_id, user.email, user.traits)
    contacts.apply_upsert(session, contacts.plan_upsert(session, [record]), WRITE_BATCH)
    plan = contacts.plan_upsert(session, [record])
    user.contact_id = plan.existing[user.user_id]["id"]


def _needs_accounts(message: Message | Rows) -> list[str | None]:
    """The user ids whose latest group the message's events need (no context.groupId)."""
    if type(message) is Rows:
        if not message.lookups:
            return []
        return [user for user, group in zip(message.user_ids, message.groups) if group is None]
    return [message.user_id] if message.context.group_id is None else []  # type: ignore[union-attr]


def _prefetch(session: Session, batches: Sequence[Batch], cache: AttributionCache) -> None:
    """Read the latest group of every user whose events need one (read-through)."""
    wanted: dict[int, set[str]] = {}
    for batch in batches:
        for message in batch.messages:
            for user_id in _needs_accounts(message):
                if user_id is not None and (batch.source.id, user_id) not in cache:
                    wanted.setdefault(batch.source.id, set()).add(user_id)
    for source_id, user_ids in wanted.items():
        groups = repository.latest_groups(session, source_id, user_ids)
        for user_id in user_ids:
            cache.put((source_id, user_id), groups.get(user_id))


def apply_batches(
    session: Session, batches: Sequence[Batch], cache: AttributionCache
) -> pa.Table:
    """Apply every message in arrival order; the usage events to store, as one table."""
    _prefetch(session, batches, cache)
    state = CommitState(session=session, cache=cache)
    for batch in batches:
        for message in batch.messages:
            if type(message) is Rows:
                state.add_rows(batch, message)
            else:
                HANDLERS[message.type](state, batch, message)  # type: ignore[union-attr]
    session.flush()
    return state.events.table()
