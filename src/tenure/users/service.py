"""Users: creating them, their passwords (Argon2id), signing in, roles and deactivation.
Never commits: the entry point (CLI command, web view) owns the transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from tenure.errors import Conflict, Invalid, NotFound
from tenure.models.types import Role
from tenure.models.users import User
from tenure.users import repository
from tenure.users.schemas import UserCreate, UserOut, normalize_email


@cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults follow RFC 9106's recommended Argon2id parameters.
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so both paths cost the same."""
    return _hasher().hash("tenure-no-such-user")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, data: UserCreate) -> User:
    """Create a user, or give a placeholder user (known from an import, no password yet)
    its password, role and name. An email that already signs in is a Conflict."""
    existing = repository.by_email(session, data.email)
    if existing is not None and existing.password_hash is not None:
        raise Conflict(f"a user with email {data.email} already exists")
    if existing is None:
        existing = User(email=data.email, is_active=True)
    existing.role = data.role.value
    existing.password_hash = hash_password(data.password)
    if data.name:
        existing.name = data.name
    return repository.add(session, existing)


def list_users(session: Session) -> list[UserOut]:
    return [to_out(user) for user in repository.all_users(session)]


def to_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        is_active=user.is_active,
        has_password=user.password_hash is not None,
        created_at=_aware(user.created_at),
    )


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; the database writes them in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None.

    An unknown email, a placeholder without password and an inactive user all cost one
    Argon2 verification, so response times do not tell which emails exist.
    """
    user = repository.by_email(session, normalize_email(email))
    if user is None or user.password_hash is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        # Parameters were raised since this hash was made; upgrade it while we know the
        # password. The caller's transaction commits it.
        user.password_hash = hash_password(password)
        session.flush()
    return user


# --- roles and deactivation (admin pages) ------------------------------------------
# An admin cannot demote or deactivate themselves, and the last active admin cannot be
# demoted or deactivated, so nobody locks the company out of its own admin pages.


def change_role(session: Session, user_id: int, role: str, actor_id: int) -> UserOut:
    """Give a user another role; `actor_id` is the admin doing it."""
    if role not in Role.__members__:
        raise Invalid(f"role: expected one of {' '.join(r.value for r in Role)}, got {role!r}")
    user = _user(session, user_id)
    if user.role != role and user.role == Role.admin.value:
        _guard_last_admin(session, user, actor_id, "demote")
    user.role = role
    session.flush()
    return to_out(user)


def set_active(session: Session, user_id: int, active: bool, actor_id: int) -> UserOut:
    """Deactivate (cannot sign in or use tokens) or reactivate a user."""
    user = _user(session, user_id)
    if not active and user.is_active:
        _guard_last_admin(session, user, actor_id, "deactivate")
    user.is_active = active
    session.flush()
    return to_out(user)


def _user(session: Session, user_id: int) -> User:
    user = repository.by_id(session, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def _guard_last_admin(session: Session, user: User, actor_id: int, what: str) -> None:
    if user.id == actor_id:
        raise Conflict(f"you cannot {what} yourself; ask another admin")
    admin = Role.admin.value
    if user.role == admin and user.is_active and repository.count_active(session, admin) <= 1:
        raise Conflict(f"cannot {what} the last active admin")


# --- account owners named by imports -------------------------------------------------


def user_ids_by_email(session: Session, emails: Collection[str]) -> dict[str, int]:
    """Lower-cased email -> id of the users that exist (case-insensitive match)."""
    return repository.ids_by_email(session, emails)


def ensure_owner_users(
    session: Session, emails: Collection[str]
) -> tuple[dict[str, int], list[str]]:
    """Ids of the users with these emails, creating the missing ones as placeholders.

    Created users get role csm and no password, so they cannot sign in until an admin
    gives them one (`create_user` does); they exist so that accounts can name their
    owner. Returns (lower-cased email -> id, emails created).
    """
    wanted = {normalize_email(email) for email in emails}
    found = repository.ids_by_email(session, wanted)
    missing = sorted(wanted - found.keys())
    if missing:
        rows = [
            {"email": email, "role": Role.csm.value, "password_hash": None, "is_active": True}
            for email in missing
        ]
        repository.insert_users(session, rows)
        found = repository.ids_by_email(session, wanted)
    return found, missing
