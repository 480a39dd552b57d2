"""API tokens: `tenure users token create | list | revoke` through the real console script,
and the service's rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.users import ApiToken, User
from tenure.users import tokens
from tests.cli_runner import run_tenure


def _user(context: AppContext, email: str, role: str = "csm", active: bool = True) -> None:
    with unit_of_work(context.sessions) as session:
        session.add(User(email=email, role=role, is_active=active))


def test_create_list_revoke(context: AppContext, env_for: dict[str, str]) -> None:
    _user(context, "ana@example.com")
    created = run_tenure("users", "token", "create", "--email", "ANA@example.com",
                         "--name", "crm sync", "--json", env=env_for)
    assert created.returncode == 0, created.stderr
    body = json.loads(created.stdout)
    token = body["token"]
    assert token.startswith("tnr_") and len(token) > 40
    assert body["hint"] == "tnr_..." + token[-4:] and body["email"] == "ana@example.com"

    with unit_of_work(context.sessions) as session:
        (row,) = session.scalars(select(ApiToken))
        assert row.token_hash == tokens.token_hash(token) and token not in row.token_hash
        owner = tokens.authenticate(session, token)
        assert owner is not None and (owner.email, owner.role) == ("ana@example.com", "csm")

    plain = run_tenure("users", "token", "create", "--email", "ana@example.com",
                       "--name", "second", env=env_for)
    assert plain.returncode == 0 and plain.stdout.strip().startswith("tnr_")  # token alone on stdout

    listed = json.loads(run_tenure("users", "token", "list", "--json", env=env_for).stdout)
    assert [t["name"] for t in listed["tokens"]] == ["crm sync", "second"]
    assert "token" not in listed["tokens"][0] and listed["tokens"][0]["last_used_at"] is not None
    assert token not in json.dumps(listed)

    revoked = run_tenure("users", "token", "revoke", str(body["id"]), "--json", env=env_for)
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["revoked_at"] is not None
    with unit_of_work(context.sessions) as session:
        assert tokens.authenticate(session, token) is None
        assert tokens.authenticate(session, plain.stdout.strip()) is not None


def test_refusals_exit_1_with_one_line(context: AppContext, env_for: dict[str, str]) -> None:
    _user(context, "ana@example.com")
    cases = [
        (("create", "--email", "nobody@example.com", "--name", "x"),
         "error: no user with email 'nobody@example.com'"),
        (("create", "--email", "ana@example.com", "--name", "  "),
         "error: the token name must be 1 to 100 characters"),
        (("revoke", "42"), "error: no API token with id 42"),
    ]
    for args, message in cases:
        answer = run_tenure("users", "token", *args, env=env_for)
        assert answer.returncode == 1 and answer.stderr.strip() == message, answer.stderr
    listed = json.loads(run_tenure("users", "token", "list", "--json", env=env_for).stdout)
    assert listed == {"tokens": []}


def test_inactive_user_and_malformed_tokens_are_refused(context: AppContext) -> None:
    _user(context, "gone@example.com", active=False)
    with unit_of_work(context.sessions) as session:
        token = tokens.create_token(session, "gone@example.com", "old").token
    with unit_of_work(context.sessions) as session:
        assert tokens.authenticate(session, token) is None
        assert tokens.authenticate(session, token[4:]) is None  # no prefix
        assert tokens.authenticate(session, "tnr_" + "x" * 43) is None


def test_last_use_is_recorded_at_most_once_a_minute(context: AppContext) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    _user(context, "ana@example.com")
    with unit_of_work(context.sessions) as session:
        token = tokens.create_token(session, "ana@example.com", "ci").token

    def last_used() -> object:
        with unit_of_work(context.sessions) as session:
            assert tokens.authenticate(session, token) is not None
            return session.scalars(select(ApiToken.last_used_at)).one()

    first = last_used()
    assert first is not None and last_used() == first  # within the minute: no write
    with unit_of_work(context.sessions) as session:
        earlier = tokens.utcnow() - timedelta(minutes=2)
        session.execute(update(ApiToken).values(last_used_at=earlier))
    later = last_used()
    assert later is not None and later != first
