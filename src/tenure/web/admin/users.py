"""Admin rules for users beyond `tenure.users.service` (create, list): change a role,
deactivate or reactivate. Flushes, never commits.

An admin cannot demote or deactivate themselves, and the last active admin cannot be
demoted or deactivated, so nobody locks the company out of its own admin pages.
(Debt: these belong in `tenure.users.service`; they live here because this session's
brief did not own the users domain. They touch only the `User` row.)
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.errors import Conflict, Invalid, NotFound
from tenure.models.types import Role
from tenure.models.users import User
from tenure.users import service as users
from tenure.users.schemas import UserOut


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.admin.value, User.is_active)
    return int(session.scalar(query) or 0)


def _guard_last_admin(session: Session, user: User, actor_id: int, what: str) -> None:
    if user.id == actor_id:
        raise Conflict(f"you cannot {what} yourself; ask another admin")
    if user.role == Role.admin.value and user.is_active and _active_admins(session) <= 1:
        raise Conflict(f"cannot {what} the last active admin")


def change_role(session: Session, user_id: int, role: str, actor_id: int) -> UserOut:
    if role not in Role.__members__:
        raise Invalid(f"role: expected one of {' '.join(r.value for r in Role)}, got {role!r}")
    user = _user(session, user_id)
    if user.role != role and user.role == Role.admin.value:
        _guard_last_admin(session, user, actor_id, "demote")
    user.role = role
    session.flush()
    return users.to_out(user)


def set_active(session: Session, user_id: int, active: bool, actor_id: int) -> UserOut:
    user = _user(session, user_id)
    if not active and user.is_active:
        _guard_last_admin(session, user, actor_id, "deactivate")
    user.is_active = active
    session.flush()
    return users.to_out(user)
