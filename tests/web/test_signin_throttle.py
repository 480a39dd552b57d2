"""Sign-in throttling over HTTP: repeated failures lock an email (and a client address)
out with 429 for the lockout window, the same way whether or not the email is a user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tenure.config import Settings
from tenure.web.throttle import Limit, SignInThrottle
from tests.web.conftest import sign_in

LOCKED = "Too many failed sign-in attempts. Try again in 10 minutes."
WRONG = "That email and password do not match an active user."


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        home=tmp_path / "home", database_url=database_url,
        events_url=f"duckdb:///{tmp_path / 'events.duckdb'}", run_jobs_in_serve=False,
        signin_max_failures=3, signin_max_failures_per_address=5, signin_lockout_minutes=10,
    )  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(web_app: FastAPI) -> Clock:
    fake = Clock()
    web_app.state.signin_throttle.clock = fake
    return fake


@pytest.fixture
def client_at(web_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    opened: list[TestClient] = []

    def at(address: str) -> TestClient:
        test_client = TestClient(web_app, client=(address, 40000))
        opened.append(test_client.__enter__())
        return test_client

    yield at
    for test_client in opened:
        test_client.__exit__(None, None, None)


def _attempts(client: TestClient, email: str, count: int) -> list[tuple[int, str]]:
    answers = []
    for _ in range(count):
        response = sign_in(client, email, "wrong password")
        message = LOCKED if LOCKED in response.text else WRONG if WRONG in response.text else "?"
        answers.append((response.status_code, message))
    return answers


def test_an_email_is_locked_after_repeated_failures_then_released(
    client_at: Callable[[str], TestClient], make_user: Callable[..., str], clock: Clock
) -> None:
    email = make_user("csm")
    client = client_at("10.0.0.1")
    assert _attempts(client, email, 3) == [(401, WRONG), (401, WRONG), (429, LOCKED)]
    locked = sign_in(client, email)  # even the right password waits
    assert locked.status_code == 429 and LOCKED in locked.text
    assert locked.headers["Retry-After"] == "600"
    assert sign_in(client_at("10.0.0.2"), email).status_code == 429  # per email, any address
    clock.now += 9 * 60
    assert "Try again in 1 minute." in sign_in(client, email).text
    clock.now += 61
    assert sign_in(client, email).status_code == 303


def test_unknown_and_known_emails_get_the_same_answers(
    client_at: Callable[[str], TestClient], make_user: Callable[..., str], clock: Clock
) -> None:
    known = _attempts(client_at("10.0.0.1"), make_user("csm"), 4)
    unknown = _attempts(client_at("10.0.0.2"), "nobody@example.test", 4)
    assert known == unknown == [(401, WRONG), (401, WRONG), (429, LOCKED), (429, LOCKED)]


def test_an_address_guessing_many_emails_is_locked(
    client_at: Callable[[str], TestClient], make_user: Callable[..., str], clock: Clock
) -> None:
    guesser = client_at("10.0.0.9")
    answers = [_attempts(guesser, f"guess{i}@example.test", 1)[0] for i in range(5)]
    assert answers == [(401, WRONG)] * 4 + [(429, LOCKED)]
    email = make_user("csm")
    assert sign_in(guesser, email).status_code == 429  # the address, not the email
    assert sign_in(client_at("10.0.0.10"), email).status_code == 303


def test_success_forgets_the_emails_failures_and_old_failures_expire(
    client_at: Callable[[str], TestClient], make_user: Callable[..., str], clock: Clock
) -> None:
    email = make_user("csm")
    client = client_at("10.0.0.1")
    assert _attempts(client, email, 2) == [(401, WRONG)] * 2
    assert sign_in(client_at("10.0.0.3"), email).status_code == 303
    assert _attempts(client, email, 2) == [(401, WRONG)] * 2  # counting started again
    clock.now += 10 * 60 + 1  # those two are older than the window now
    assert _attempts(client_at("10.0.0.4"), email, 2) == [(401, WRONG)] * 2


def test_the_throttle_forgets_the_least_recent_keys_beyond_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tenure.web.throttle.MAX_KEYS", 4)
    throttle = SignInThrottle(Limit(1, 60), Limit(100, 60), clock=lambda: 5.0)
    assert throttle.failed("a@x.test", None) == 60
    for name in "bcde":
        throttle.failed(f"{name}@x.test", None)
    assert throttle.locked_for("a@x.test", None) == 0  # evicted: memory stays bounded
    assert throttle.locked_for("E@X.test ", None) == 60  # emails compare normalised
