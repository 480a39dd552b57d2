"""The tracking API over HTTP (TestClient): SQLite and PostgreSQL operational databases,
DuckDB and PostgreSQL event stores."""

from __future__ import annotations

import base64
import gzip
import json
import threading
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.models import Account, Contact, TrackedUser
from tenure.tracking.service import Batch, SourceRef
from tenure.tracking.writer import IngestWriter, Overloaded
from tests.conftest import api_headers
from tests.tracking.conftest import stored


def auth(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def track(user: str = "u1", event: str = "Report Viewed", **extra: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "userId": user,
            "messageId": str(uuid.uuid4()), "timestamp": "2025-03-01T10:00:00Z", **extra}


def test_track_with_basic_auth_is_stored_once_per_message_id(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    message = track(properties={"report": "churn"})
    for _ in range(3):  # the SDK's retries resend the same messageId
        answer = client.post("/v1/track", json=message, headers=auth(write_key))
        assert answer.status_code == 200 and answer.json() == {"success": True}
    (row,) = stored(context)
    assert row["message_id"] == message["messageId"] and row["source"] == "web"
    assert row["event"] == "Report Viewed" and json.loads(row["properties"]) == {"report": "churn"}
    assert row["account_external_id"] is None and row["user_id"] == "u1"


def test_write_key_in_body_and_gzip(client: TestClient, context: AppContext, write_key: str) -> None:
    body = {"writeKey": write_key, "batch": [track(), track(user="u2")]}
    answer = client.post("/v1/batch", content=gzip.compress(json.dumps(body).encode()),
                         headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert len(stored(context)) == 2


def test_bad_or_missing_write_key_is_401(client: TestClient, write_key: str) -> None:
    for headers, body in (
        ({}, {"batch": [track()]}),
        (auth("wk_nope"), {"batch": [track()]}),
        ({}, {"writeKey": "wk_nope", "batch": [track()]}),
        ({"Authorization": "Bearer x"}, {"batch": [track()]}),
    ):
        answer = client.post("/v1/batch", json=body, headers=headers)
        assert answer.status_code == 401
        assert set(answer.json()) >= {"code", "message"}


def test_undecodable_bodies_are_400(client: TestClient, write_key: str) -> None:
    bad = [
        (b"{not json", {}),
        (b"[1, 2]", {}),
        (b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}),
        (json.dumps({"batch": "nope"}).encode(), {}),
    ]
    for content, headers in bad:
        answer = client.post("/v1/batch", content=content, headers={**auth(write_key), **headers})
        assert answer.status_code == 400, content
        assert set(answer.json()) >= {"code", "message"}


def test_oversize_call_and_batch_are_413(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    big = track(properties={"blob": "x" * 33_000})
    assert client.post("/v1/track", json=big, headers=auth(write_key)).status_code == 413
    many = {"batch": [track(properties={"blob": "x" * 20_000}) for _ in range(30)]}
    assert client.post("/v1/batch", json=many, headers=auth(write_key)).status_code == 413
    zipped = gzip.compress(json.dumps(many).encode())  # small on the wire, big decoded
    answer = client.post("/v1/batch", content=zipped,
                         headers={**auth(write_key), "Content-Encoding": "gzip"})
    assert answer.status_code == 413
    assert stored(context) == []


def test_invalid_messages_are_rejected_alone(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    good = [track(user="a"), track(user="b")]
    batch = [good[0], {"type": "track", "userId": "c", "messageId": "no-event"},
             {"type": "track", "event": "x", "messageId": "nobody"},
             {"type": "alias", "userId": "d", "previousId": "e", "messageId": "alias"},
             track(properties={"blob": "x" * 33_000}) | {"messageId": "huge"},
             "not an object", good[1]]
    answer = client.post("/v1/batch", json={"batch": batch}, headers=auth(write_key))
    assert answer.status_code == 200
    rejected = answer.json()["rejected"]
    assert answer.json()["success"] is True
    assert [r["index"] for r in rejected] == [1, 2, 3, 4, 5]
    assert [r["messageId"] for r in rejected[:4]] == ["no-event", "nobody", "alias", "huge"]
    assert sorted(r["message_id"] for r in stored(context)) == sorted(m["messageId"] for m in good)
    sources = client.get("/api/v1/sources", headers=api_headers(context)).json()
    assert sources[0]["rejected_since_start"] == 5


def test_group_identify_and_attribution(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    calls = [
        track(user="u1", event="Before Group"),
        {"type": "identify", "userId": "u1", "messageId": "i1",
         "traits": {"email": "ada@initech.com", "firstName": "Ada", "lastName": "L", "title": "CTO"}},
        {"type": "group", "userId": "u1", "groupId": "acct_1", "messageId": "g1",
         "traits": {"name": "Initech", "industry": "Software", "employees": 329,
                    "website": "https://www.initech.com/", "plan": "enterprise"}},
        track(user="u1", event="After Group"),
        track(user="u1", event="Other Account", context={"groupId": "acct_2"}),
        {"type": "page", "userId": "u1", "name": "Home", "messageId": "p1",
         "properties": {"path": "/"}},
        track(user="stranger", event="Unknown User"),
        track(user=12345, event="Numeric Id"),
    ]
    answer = client.post("/v1/batch", json={"batch": calls}, headers=auth(write_key))
    assert answer.json() == {"success": True}
    accounts = {row["event"]: row["account_external_id"] for row in stored(context)}
    assert accounts == {"Before Group": None, "After Group": "acct_1", "Other Account": "acct_2",
                        "page": "acct_1", "Unknown User": None, "Numeric Id": None}
    page = next(r for r in stored(context) if r["event"] == "page")
    assert json.loads(page["properties"]) == {"path": "/", "name": "Home"}
    with unit_of_work(context.sessions) as session:
        account = session.scalars(select(Account)).one()
        contact = session.scalars(select(Contact)).one()
        user = session.scalars(select(TrackedUser).where(TrackedUser.user_id == "u1")).one()
        assert (account.external_id, account.name, account.industry, account.employees,
                account.domain) == ("acct_1", "Initech", "Software", 329, "initech.com")
        assert (contact.external_id, contact.email, contact.first_name, contact.title) == (
            "u1", "ada@initech.com", "Ada", "CTO")
        assert contact.account_id == account.id == user.account_id
        assert user.contact_id == contact.id and user.email == "ada@initech.com"
    # a later call for the same user, in another commit, uses the remembered group
    client.post("/v1/track", json=track(user="u1", event="Later"), headers=auth(write_key))
    later = next(r for r in stored(context) if r["event"] == "Later")
    assert later["account_external_id"] == "acct_1"
    (source,) = client.get("/api/v1/sources", headers=api_headers(context)).json()
    assert (source["events"], source["unattributed"]) == (7, 3)


def test_group_without_name_creates_the_account_named_by_its_id(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    group = {"type": "group", "anonymousId": "anon", "groupId": 77, "messageId": "g"}
    assert client.post("/v1/group", json=group, headers=auth(write_key)).status_code == 200
    renamed = {**group, "messageId": "g2", "traits": {"name": "Named Later"}}
    client.post("/v1/group", json=renamed, headers=auth(write_key))
    with unit_of_work(context.sessions) as session:
        assert session.scalars(select(Account.name)).one() == "Named Later"
    assert stored(context) == []  # group and identify calls are not usage events


def test_full_queue_answers_429_with_retry_after(
    client: TestClient, context: AppContext, write_key: str
) -> None:
    context.settings.tracking_queue_events = 150
    writer = IngestWriter(context)
    writer._thread = threading.Thread()  # "running" but never taking: the queue only fills
    client.app.state.ingest_writer = writer  # type: ignore[attr-defined]
    from tenure.tracking.schemas import MESSAGE

    messages = [MESSAGE.validate_python(track()) for _ in range(100)]
    writer.submit(Batch(SourceRef(1, "web"), messages, utcnow()))
    try:
        writer.submit(Batch(SourceRef(1, "web"), messages, utcnow()))
        raise AssertionError("the queue should be full")
    except Overloaded:
        pass
    answer = client.post("/v1/batch", json={"batch": [track()] * 100}, headers=auth(write_key))
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert set(answer.json()) >= {"code", "message"}
