"""Users on the real database: creation rules, placeholders, authentication."""

from __future__ import annotations

import pytest

from tenure.errors import Conflict, Invalid
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.users import User
from tenure.users import service
from tenure.users.schemas import UserCreate


def _create(context: AppContext, **fields: object) -> User:
    data = UserCreate.parse(**{"role": "csm", "password": "correct horse", **fields})
    with unit_of_work(context.sessions) as session:
        return service.create_user(session, data)


def test_create_and_authenticate(context: AppContext) -> None:
    user = _create(context, email="  Ann@Example.COM ", role="admin", name="Ann")
    assert user.email == "ann@example.com" and user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    with unit_of_work(context.sessions) as session:
        assert service.authenticate(session, "ANN@example.com", "correct horse").id == user.id
        assert service.authenticate(session, "ann@example.com", "wrong horse") is None
        assert service.authenticate(session, "nobody@example.com", "correct horse") is None


def test_inactive_users_cannot_sign_in(context: AppContext) -> None:
    user = _create(context, email="gone@example.com")
    with unit_of_work(context.sessions) as session:
        session.get(User, user.id).is_active = False
    with unit_of_work(context.sessions) as session:
        assert service.authenticate(session, "gone@example.com", "correct horse") is None


def test_duplicate_email_is_a_conflict(context: AppContext) -> None:
    _create(context, email="dup@example.com")
    with pytest.raises(Conflict, match="already exists"):
        _create(context, email="DUP@example.com")


def test_placeholder_from_an_import_gets_password_and_role(context: AppContext) -> None:
    with unit_of_work(context.sessions) as session:
        session.add(User(email="Owner@Example.com", name="Olga", role="csm"))
    with unit_of_work(context.sessions) as session:
        assert service.authenticate(session, "owner@example.com", "") is None
    user = _create(context, email="owner@example.com", role="manager")
    with unit_of_work(context.sessions) as session:
        users = service.list_users(session)
        assert [(u.id, u.role, u.name, u.has_password) for u in users] == [
            (user.id, "manager", "Olga", True)
        ]
        assert service.authenticate(session, "owner@example.com", "correct horse") is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "a@b.co", "role": "boss"}, "role must be one of admin manager csm viewer"),
        ({"email": "a@b.co", "password": "short"}, "at least 8 characters"),
        ({"email": "not-an-email"}, "is not an email address"),
    ],
)
def test_invalid_input_is_refused(fields: dict[str, str], message: str) -> None:
    with pytest.raises(Invalid, match=message):
        UserCreate.parse(**{"role": "csm", "password": "correct horse", **fields})


def test_passwords_are_not_stripped() -> None:
    data = UserCreate.parse(email="a@b.co", role="viewer", password="  spaced  ")
    assert data.password == "  spaced  "
