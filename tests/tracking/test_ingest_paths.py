"""The ingestion fast path, persisted rejection counts and attribution across processes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tenure.tracking import intake
from tenure.tracking.fastpath import Rows
from tenure.tracking.service import AttributionCache, Batch, CommitState, SourceRef
from tenure.tracking.writer import IngestWriter
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.tracking.conftest import stored
from tests.tracking.test_api import auth, track

RECEIVED = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)
SOURCE = SourceRef(1, "web")

ids = st.one_of(st.none(), st.text(min_size=0, max_size=3), st.integers(-5, 5),
                st.just("x" * 201), st.just(True), st.just(""))
times = st.one_of(st.none(), st.sampled_from([
    "2025-03-01T10:00:00Z", "2025-03-01T10:00:00.123+02:00", "2025-03-01 10:00:00",
    "2025-03-01T10:00:00+0000", "2025-03-01", "yesterday", "2025-13-01T10:00:00Z",
]), st.integers(0, 2_000_000_000))
optional = st.one_of(st.none(), st.just(...))  # ... = leave the key out
properties = st.dictionaries(st.text(max_size=4), st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=6,
), max_size=3)


def _drop_missing(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not ...}


messages_strategy = st.builds(
    lambda *values: _drop_missing(dict(zip(
        ("type", "messageId", "userId", "anonymousId", "event", "properties", "timestamp",
         "originalTimestamp", "context"), values))),
    st.sampled_from(["track", "track", "page", "identify"]),
    st.one_of(ids, st.just(...)), st.one_of(ids, st.just(...)), st.one_of(ids, st.just(...)),
    st.one_of(st.sampled_from(["Viewed", "", "e" * 201, 5]), st.just(...)),
    st.one_of(st.none(), st.just(...), st.just({"a": [1, "é"]}), st.just([1]), properties),
    st.one_of(times, st.just(...)), st.one_of(times, st.just(...)),
    st.one_of(st.just(...), st.none(), st.just("ctx"),
              st.fixed_dictionaries({"groupId": ids}), st.just({"library": {"name": "x"}})),
)


def _outcome(body: dict[str, Any], kind: str) -> tuple[list[dict[str, Any]], list[Any]]:
    accepted, rejected, _codes = intake.messages(body, kind, len(json.dumps(body)))
    state = CommitState(session=None, cache=AttributionCache())  # type: ignore[arg-type]
    batch = Batch(SOURCE, accepted, RECEIVED)
    for message in accepted:
        if isinstance(message, Rows):
            state.add_rows(batch, message)
        elif message.type in ("track", "page", "screen"):
            from tenure.tracking.service import HANDLERS

            HANDLERS[message.type](state, batch, message)
    return state.events.table().to_pylist(), [r.model_dump() for r in rejected]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages_strategy, max_size=6),
       st.one_of(st.none(), st.fixed_dictionaries({"groupId": ids})))
def test_fast_path_accepts_rejects_and_stores_exactly_like_pydantic(
    messages: list[dict[str, Any]], shared: dict[str, Any] | None
) -> None:
    body: dict[str, Any] = {"batch": messages}
    if shared is not None:
        body["context"] = shared
    fast = _outcome(body, "batch")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(intake, "track_row", lambda raw, shared, rows: False)
        slow = _outcome(body, "batch")
    assert fast == slow


def test_plain_sdk_tracks_take_the_fast_path() -> None:
    body = {"batch": [track(user="u1", context={"groupId": "acct"}), track(anonymousId="a")]}
    accepted, rejected, _ = intake.messages(body, "batch", 500)
    assert rejected == [] and [type(message) for message in accepted] == [Rows]
    assert accepted[0].groups == ["acct", None] and accepted[0].lookups


def test_rejections_are_counted_per_source_and_reason_and_survive_a_restart(
    context: AppContext, write_key: str, env_for: dict[str, str]
) -> None:
    batch = [track(), {"type": "track", "userId": "c", "messageId": "no-event"},
             {"type": "track", "event": "x", "messageId": "nobody"},
             {"type": "alias", "userId": "d", "messageId": "alias"}, "not an object"]
    with TestClient(create_app(context, run_jobs=False)) as client:
        for _ in range(2):
            answer = client.post("/v1/batch", json={"batch": batch}, headers=auth(write_key))
            assert answer.status_code == 200 and len(answer.json()["rejected"]) == 4
        # a request with nothing to store still records its rejections before its 200
        assert client.post("/v1/track", json={"userId": "u"}, headers=auth(write_key)).json()[
            "rejected"][0]["index"] == 0
    expected = {"invalid": 3, "no_user": 2, "unsupported_type": 2, "not_object": 2}
    # the server is gone: a new process reads the counts from the event store
    listed = run_tenure("sources", "list", "--json", env=env_for)
    assert listed.returncode == 0, listed.stderr
    (source,) = json.loads(listed.stdout)["sources"]
    assert source["rejected_by_reason"] == expected and source["rejected"] == 9
    assert source["events"] == 1  # the valid track, stored once although sent twice
    with authorized_client(create_app(context, run_jobs=False), context) as client:
        (api,) = client.get("/api/v1/sources").json()
    assert api["rejected_by_reason"] == expected and api["rejected_since_start"] == 0


def test_attribution_follows_a_group_stored_by_another_process(
    context: AppContext, write_key: str
) -> None:
    """Two writers with their own database connections stand for two server processes;
    each commit reads the user's latest group, so neither serves a stale link."""
    other = AppContext(context.settings)
    first, second = IngestWriter(context), IngestWriter(other)
    for writer in (first, second):
        writer.start()
    try:
        def send(writer: IngestWriter, message: dict[str, Any]) -> None:
            accepted, rejected, _ = intake.messages(message, message["type"], 100)
            assert not rejected
            writer.submit(Batch(SOURCE_FOR[0], accepted, RECEIVED)).result(30)

        from tenure.kit.db import unit_of_work
        from tenure.tracking import service

        with unit_of_work(context.sessions) as session:
            SOURCE_FOR[0] = service.authenticate(session, write_key)  # type: ignore[assignment]
        group = {"type": "group", "userId": "u1", "messageId": "g1"}
        send(first, track(user="u1", event="Before"))
        send(second, {**group, "groupId": "acct_a"})
        send(first, track(user="u1", event="Middle"))  # first never saw the group call
        send(second, {**group, "groupId": "acct_b", "messageId": "g2"})
        send(first, track(user="u1", event="After"))
    finally:
        first.stop()
        second.stop()
        other.close()
    accounts = {row["event"]: row["account_external_id"] for row in stored(context)}
    assert accounts == {"Before": None, "Middle": "acct_a", "After": "acct_b"}


SOURCE_FOR: list[SourceRef] = [SOURCE]


def test_a_busy_event_file_fails_the_waiting_requests_and_the_writer_lives_on(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the event file can fail (DuckDB: another process holds it for 30 s); the
    requests of that commit get a 503 and later requests are stored, instead of a dead
    writer thread leaving every request waiting forever."""
    from contextlib import nullcontext

    from tenure.errors import Unavailable
    from tenure.tracking import writer as writer_module

    attempts: list[int] = []

    def busy_once(store: object) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise Unavailable("event store is busy")
        return nullcontext()

    monkeypatch.setattr(writer_module, "_pin", busy_once)
    writer = IngestWriter(context)
    writer.start()
    try:
        accepted, _, _ = intake.messages(track(user="u1"), "track", 100)
        with pytest.raises(Unavailable):
            writer.submit(Batch(SOURCE, accepted, RECEIVED)).result(30)
        writer.submit(Batch(SOURCE, accepted, RECEIVED)).result(30)
    finally:
        writer.stop()
    assert [row["user_id"] for row in stored(context)] == ["u1"]
