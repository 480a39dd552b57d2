"""Onboarding milestones (METRICS.md section 8, seed 004).

Milestones fall due 7 (kick-off, account initialised), 14, 30, 60 and 90 days after the
start of an account's first paying contract. On a date `as_of`, an open milestone
(not completed by then) is on track until its due date, behind when past due by fewer
than STUCK_AFTER_DAYS days, and stuck from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from tenure.errors import Invalid, NotFound
from tenure.lifecycle import repository
from tenure.lifecycle.schemas import MilestoneOut, PlanResult
from tenure.models import OnboardingMilestone

STUCK_AFTER_DAYS = 7
STATUS_ORDER = ("on_track", "behind", "stuck")  # worst last


@dataclass(frozen=True)
class MilestoneTemplate:
    key: str
    name: str
    day: int


MILESTONES: tuple[MilestoneTemplate, ...] = (
    MilestoneTemplate("kickoff", "Kick-off held and account initialised", 7),
    MilestoneTemplate("day_14", "First users active (day 14)", 14),
    MilestoneTemplate("day_30", "Core workflow live (day 30)", 30),
    MilestoneTemplate("day_60", "Adoption across the team (day 60)", 60),
    MilestoneTemplate("day_90", "Onboarding review: value confirmed (day 90)", 90),
)


def milestone_status(due_on: date, completed_on: date | None, as_of: date) -> tuple[str, int]:
    """(status, days past due) of one milestone on `as_of`."""
    if completed_on is not None and completed_on <= as_of:
        return "done", 0
    late = (as_of - due_on).days
    if late <= 0:
        return "on_track", 0
    return ("stuck" if late >= STUCK_AFTER_DAYS else "behind"), late


def milestone_statuses(session: Session, as_of: date) -> pd.DataFrame:
    """Per account (index `account_id`, every account): counts of open milestones that are
    `on_track`, `behind`, `stuck` on `as_of`, and `status`, the worst of them. An account
    whose milestones are all done is on_track; one without milestones has status None."""
    accounts = pd.Index(repository.all_account_ids(session), name="account_id")
    frame = repository.milestone_frame(session)
    result = pd.DataFrame(0, index=accounts, columns=list(STATUS_ORDER), dtype="int64")
    result["status"] = pd.Series(None, index=accounts, dtype="object")
    if frame.empty:
        return result
    frame = _classify(frame, as_of)
    counts = (
        frame[frame["status"] != "done"]
        .groupby(["account_id", "status"]).size().unstack(fill_value=0)
        .reindex(columns=list(STATUS_ORDER), fill_value=0)
    )
    result.loc[counts.index.intersection(accounts), list(STATUS_ORDER)] = counts
    has_milestones = accounts.intersection(frame["account_id"].unique())
    worst = pd.Series("on_track", index=has_milestones, dtype="object")
    for status in STATUS_ORDER[1:]:
        worst[result.loc[has_milestones, status] > 0] = status
    status = worst.reindex(accounts)
    result["status"] = pd.Series(
        [value if isinstance(value, str) else None for value in status], index=accounts, dtype="object"
    )
    return result


def _classify(frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
    due = pd.to_datetime(frame["due_on"])
    completed = pd.to_datetime(frame["completed_on"])
    stamp = pd.Timestamp(as_of)
    late = (stamp - due).dt.days
    done = completed.notna() & (completed <= stamp)
    status = pd.Series("on_track", index=frame.index, dtype="object")
    status[late > 0] = "behind"
    status[late >= STUCK_AFTER_DAYS] = "stuck"
    status[done] = "done"
    return frame.assign(status=status)


def plan_milestones(session: Session, account_ids: Sequence[int]) -> PlanResult:
    """Plan the onboarding milestones of each account's first paying contract.
    Idempotent: existing milestones are kept as they are. Accounts without a paying
    term get nothing."""
    starts = repository.first_contract_starts(session, account_ids)
    existing = repository.planned_keys(session, list(starts))
    created = 0
    for account_id, start in starts.items():
        for template in MILESTONES:
            if (account_id, template.key) in existing:
                continue
            session.add(
                OnboardingMilestone(
                    account_id=account_id, key=template.key, name=template.name,
                    due_on=start + timedelta(days=template.day),
                )
            )
            created += 1
    session.flush()
    return PlanResult(accounts=len(starts), milestones_created=created)


def plan_new_customers(session: Session) -> PlanResult:
    """Plan milestones for every paying account that has none yet."""
    return plan_milestones(session, repository.accounts_without_milestones(session))


def list_milestones(session: Session, account_id: int, as_of: date) -> list[MilestoneOut]:
    return [_out(row, as_of) for row in repository.milestones_of(session, account_id)]


def complete_milestone(
    session: Session, account_id: int, key: str, completed_on: date
) -> MilestoneOut:
    row = repository.milestone(session, account_id, key)
    if row is None:
        known = ", ".join(t.key for t in MILESTONES)
        raise NotFound(f"account has no milestone {key!r} (milestones: {known})")
    if row.completed_on is not None and row.completed_on != completed_on:
        raise Invalid(f"milestone {key!r} was already completed on {row.completed_on}", 409)
    row.completed_on = completed_on
    session.flush()
    return _out(row, completed_on)


def _out(row: OnboardingMilestone, as_of: date) -> MilestoneOut:
    status, late = milestone_status(row.due_on, row.completed_on, as_of)
    return MilestoneOut(
        key=row.key, name=row.name, due_on=row.due_on, completed_on=row.completed_on,
        status=status, days_past_due=late,  # type: ignore[arg-type]
    )
