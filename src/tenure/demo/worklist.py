"""The CSM's tasks: open renewal and onboarding tasks as of today, and done follow-ups
from past calls and meetings. Risk outreach tasks are opened by the early-warning engine
after generation (`tenure.demo.engine`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tenure.demo.behaviour import SECONDS_PER_DAY, Activities
from tenure.demo.contracts import Terms
from tenure.models.types import TaskPriority, TaskStatus


@dataclass
class Tasks:
    account: list[int] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    due: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)  # seconds, -1 when not done
    dedup_key: list[str | None] = field(default_factory=list)
    created: list[int] = field(default_factory=list)  # day

    def add(self, account: int, kind: str, title: str, reason: str, priority: TaskPriority,
            due: int, created: int, status: TaskStatus = TaskStatus.open,
            completed: int = -1, dedup: str | None = None) -> None:
        self.account.append(account)
        self.type.append(kind)
        self.title.append(title)
        self.reason.append(reason)
        self.priority.append(priority.value)
        self.due.append(due)
        self.status.append(status.value)
        self.completed.append(completed)
        self.dedup_key.append(dedup)
        self.created.append(min(created, due))

    def __len__(self) -> int:
        return len(self.account)


def renewal_tasks(tasks: Tasks, terms: Terms, names: list[str], external_ids: list[str],
                  enterprise: np.ndarray, today: int) -> None:
    """One open task per fixed-term renewal due in the next 90 days with no successor."""
    starts = set(zip(terms.account, terms.start, strict=True))
    for k in range(len(terms)):
        account, end = terms.account[k], terms.end[k]
        if terms.amount[k] <= 0 or terms.billing[k] == 1 or not today < end <= today + 90:
            continue
        if (account, end) in starts or terms.canceled[k] >= 0:
            continue
        priority = TaskPriority.high if enterprise[account] else TaskPriority.medium
        tasks.add(account, "renewal", f"Prepare the renewal of {names[account]}",
                  f"Term {terms.plan[k]} ends on day {end - today} from today",
                  priority, max(today, end - 45), today - 1,
                  dedup=f"renewal:{external_ids[account]}:{end}")


def onboarding_tasks(tasks: Tasks, since: np.ndarray, active: np.ndarray, names: list[str],
                     external_ids: list[str], today: int) -> None:
    """The next onboarding milestone (day 7, 14, 30, 60, 90) of accounts in onboarding."""
    for i in np.flatnonzero(active & (since >= 0) & (today - since < 90)).tolist():
        age = today - int(since[i])
        milestone = next(m for m in (7, 14, 30, 60, 90) if m > age)
        tasks.add(i, "onboarding", f"Onboarding day-{milestone} check with {names[i]}",
                  f"Milestone at day {milestone} after the contract start",
                  TaskPriority.medium, int(since[i]) + milestone, int(since[i]),
                  dedup=f"onboarding:{external_ids[i]}:day{milestone}")


def follow_up_tasks(tasks: Tasks, activities: Activities, today: int,
                    rng: np.random.Generator) -> None:
    """A follow-up after some calls and meetings: mostly done, recent ones often open."""
    meetings = np.flatnonzero(np.isin(np.asarray(activities.kind), ("call", "meeting")))
    chosen = meetings[rng.random(meetings.size) < 0.3]
    for k in chosen.tolist():
        day = int(activities.at[k] // SECONDS_PER_DAY)
        due = day + 7
        done_at = (day + int(rng.integers(1, 12))) * SECONDS_PER_DAY + 36_000
        is_done = done_at < today * SECONDS_PER_DAY and rng.random() < 0.92
        tasks.add(int(activities.account[k]), "follow_up",
                  f"Follow up: {activities.subject[k]}", "Next steps agreed on the call",
                  TaskPriority.medium if rng.random() < 0.8 else TaskPriority.low, due, day,
                  TaskStatus.done if is_done else TaskStatus.open,
                  done_at if is_done else -1)
