"""Account 360's stored facts that no domain service serves yet: the timeline (and adding
a note to it) and survey answers. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.errors import Invalid
from tenure.kit.timeutil import utcnow
from tenure.models.accounts import Account, Contact
from tenure.models.support import SurveyResponse
from tenure.models.types import ActivityKind
from tenure.models.users import User
from tenure.models.work import Activity

TIMELINE_LIMIT = 30
MAX_NOTE = 10_000


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    occurred_at: datetime
    subject: str | None
    body: str | None
    author: str | None
    contact: str | None


def account_id(session: Session, external_id: str) -> int | None:
    return session.scalar(select(Account.id).where(Account.external_id == external_id))


def timeline(session: Session, account: int, limit: int = TIMELINE_LIMIT) -> list[TimelineItem]:
    query = (
        select(Activity, User.email, User.name, Contact.email)
        .outerjoin(User, Activity.author_id == User.id)
        .outerjoin(Contact, Activity.contact_id == Contact.id)
        .where(Activity.account_id == account)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    return [
        TimelineItem(a.kind, a.occurred_at, a.subject, a.body, name or email, contact)
        for a, email, name, contact in session.execute(query)
    ]


def add_note(session: Session, account: int, author_id: int, body: str) -> None:
    body = body.strip()
    if not body:
        raise Invalid("the note is empty")
    if len(body) > MAX_NOTE:
        raise Invalid(f"the note is longer than {MAX_NOTE} characters")
    subject = body.splitlines()[0][:120]
    session.add(Activity(account_id=account, kind=ActivityKind.note.value, occurred_at=utcnow(),
                         author_id=author_id, subject=subject, body=body))
    session.flush()


def surveys(session: Session, account: int, limit: int = 10) -> list[SurveyResponse]:
    query = (
        select(SurveyResponse).where(SurveyResponse.account_id == account)
        .order_by(SurveyResponse.responded_at.desc()).limit(limit)
    )
    return list(session.scalars(query))
