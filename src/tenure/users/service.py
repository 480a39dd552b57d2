"""Rules of the users domain: the people who sign in (and account owners known by email)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from tenure.models.types import Role
from tenure.users import repository


def user_ids_by_email(session: Session, emails: Collection[str]) -> dict[str, int]:
    """Lower-cased email -> id of the users that exist."""
    return repository.ids_by_email(session, emails)


def ensure_owner_users(session: Session, emails: Collection[str]) -> tuple[dict[str, int], list[str]]:
    """Ids of the users with these emails, creating the missing ones as CSMs.

    Created users have no password, so they cannot sign in until an admin sets one;
    they exist so that accounts can name their owner. Returns (ids, created emails).
    """
    wanted = {email.lower() for email in emails}
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
