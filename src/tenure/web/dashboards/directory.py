"""Names, segments and owners of accounts listed by a drill-down (read-only).

The accounts service has no bulk lookup by external id yet; this one query reads the
columns a listing shows. (Debt: move it to `tenure.accounts.service` as
`summaries(session, external_ids)` when that domain next changes.)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.models.accounts import Account
from tenure.models.users import User

CHUNK = 900  # stay under SQLite's bound-parameter limit


@dataclass(frozen=True)
class AccountLabel:
    external_id: str
    name: str
    segment: str | None
    owner: str | None


def labels(session: Session, external_ids: Collection[str]) -> dict[str, AccountLabel]:
    wanted = list(dict.fromkeys(external_ids))
    found: dict[str, AccountLabel] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(Account.external_id, Account.name, Account.segment, User.email)
            .outerjoin(User, Account.owner_id == User.id)
            .where(Account.external_id.in_(wanted[start : start + CHUNK]))
        )
        for external_id, name, segment, owner in session.execute(query):
            found[external_id] = AccountLabel(external_id, name, segment, owner)
    return found
