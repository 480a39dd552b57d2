"""Column types and the closed vocabularies stored in string columns."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Numeric
from sqlalchemy.orm import mapped_column

# Money is exact: amounts in the currency's major unit with 4 decimals, never floats.
Money = Numeric(18, 4, asdecimal=True)


def money_column(nullable: bool = False):  # type: ignore[no-untyped-def]
    return mapped_column(Money, nullable=nullable)


ZERO = Decimal("0")


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    csm = "csm"
    viewer = "viewer"


class Segment(StrEnum):
    enterprise = "enterprise"
    mid_market = "mid_market"
    smb = "smb"


class LifecycleStage(StrEnum):
    onboarding = "onboarding"
    adoption = "adoption"
    mature = "mature"
    renewal = "renewal"
    churned = "churned"


class ContactRole(StrEnum):
    champion = "champion"
    decision_maker = "decision_maker"
    admin = "admin"
    user = "user"
    billing = "billing"


class InvoiceStatus(StrEnum):
    draft = "draft"
    open = "open"
    paid = "paid"
    failed = "failed"
    overdue = "overdue"
    void = "void"
    uncollectible = "uncollectible"


class TicketPriority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class TicketStatus(StrEnum):
    open = "open"
    pending = "pending"
    solved = "solved"
    closed = "closed"


class SurveyKind(StrEnum):
    nps = "nps"
    csat = "csat"


class ActivityKind(StrEnum):
    note = "note"
    call = "call"
    meeting = "meeting"
    email = "email"


class TaskStatus(StrEnum):
    open = "open"
    done = "done"
    canceled = "canceled"


class TaskPriority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"


class JobStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
