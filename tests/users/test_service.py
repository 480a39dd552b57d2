"""Users on the real database: creation rules, placeholders, authentication."""

from __future__ import annotations

import pytest

from tenure.errors import Conflict, Invalid, NotFound
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


def _role_and_active(context: AppContext, user_id: int) -> tuple[str, bool]:
    with unit_of_work(context.sessions) as session:
        user = session.get(User, user_id)
        return user.role, user.is_active


def test_change_role_and_deactivate_through_the_service(context: AppContext) -> None:
    admin = _create(context, email="boss@example.com", role="admin")
    csm = _create(context, email="casey@example.com")
    with unit_of_work(context.sessions) as session:
        out = service.change_role(session, csm.id, "manager", admin.id)
        assert out.role == "manager"
    assert _role_and_active(context, csm.id) == ("manager", True)  # the caller's commit kept it
    with unit_of_work(context.sessions) as session:
        assert service.set_active(session, csm.id, False, admin.id).is_active is False
    with unit_of_work(context.sessions) as session:
        assert service.authenticate(session, "casey@example.com", "correct horse") is None
        service.set_active(session, csm.id, True, admin.id)
    assert _role_and_active(context, csm.id) == ("manager", True)


def test_the_service_never_commits(context: AppContext) -> None:
    admin = _create(context, email="boss@example.com", role="admin")
    csm = _create(context, email="casey@example.com")
    session = context.sessions()
    try:
        service.change_role(session, csm.id, "viewer", admin.id)
        service.set_active(session, csm.id, False, admin.id)
        session.rollback()
    finally:
        session.close()
    assert _role_and_active(context, csm.id) == ("csm", True)


def test_admins_cannot_lock_everyone_out(context: AppContext) -> None:
    admin = _create(context, email="boss@example.com", role="admin")
    other = _create(context, email="deputy@example.com", role="admin")
    with unit_of_work(context.sessions) as session:
        with pytest.raises(Conflict, match="demote yourself"):
            service.change_role(session, admin.id, "csm", admin.id)
        with pytest.raises(Conflict, match="deactivate yourself"):
            service.set_active(session, admin.id, False, admin.id)
        service.set_active(session, other.id, False, admin.id)  # two admins: allowed
    with unit_of_work(context.sessions) as session:
        # `other` is now the last active admin after being reactivated and `admin` demoted
        service.set_active(session, other.id, True, admin.id)
        service.change_role(session, admin.id, "manager", other.id)
    with unit_of_work(context.sessions) as session:
        with pytest.raises(Conflict, match="last active admin"):
            service.change_role(session, other.id, "csm", admin.id)
        with pytest.raises(Conflict, match="last active admin"):
            service.set_active(session, other.id, False, admin.id)
    assert _role_and_active(context, other.id) == ("admin", True)


def test_role_changes_refuse_unknown_roles_and_users(context: AppContext) -> None:
    admin = _create(context, email="boss@example.com", role="admin")
    with unit_of_work(context.sessions) as session:
        with pytest.raises(Invalid, match="role: expected one of"):
            service.change_role(session, admin.id, "owner", admin.id)
        with pytest.raises(NotFound, match="no user with id 999999"):
            service.set_active(session, 999_999, False, admin.id)
