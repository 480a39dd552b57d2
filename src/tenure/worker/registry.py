"""The registry of named background jobs and their schedules.

A domain declares its scheduled work in its own `jobs.py` with the `@job` decorator and
adds that module to `JOB_MODULES` below. Modules are imported only when a scheduler or
the `tenure jobs` commands ask for the registry (`load_registry`), so importing Tenure
never pulls in every domain.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tenure.errors import Invalid, NotFound

if TYPE_CHECKING:
    from tenure.kit.context import AppContext

# Domain job modules, imported on demand. A domain adds "tenure.<domain>.jobs" here.
JOB_MODULES: tuple[str, ...] = (
    "tenure.worker.jobs",
    "tenure.integrations.stripe.jobs",
    "tenure.usage.jobs",
    "tenure.health.jobs",
    "tenure.risk.jobs",
    "tenure.lifecycle.jobs",
    "tenure.churn.jobs",
)

# A job gets the application context and the slot it runs for (aware UTC), and opens its
# own transaction(s) with `tenure.kit.db.unit_of_work(context.sessions)`.
JobFunction = Callable[["AppContext", datetime], object]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JobSpec:
    """One named job: what to call, how often, and how hard to retry.

    Slots are `every` long, counted from the Unix epoch plus `offset` (UTC): every hour
    gives slots at the top of each hour, every day at midnight UTC (plus `offset`).
    A failed attempt is retried after `retry_backoff * 2 ** (attempt - 1)`, up to
    `max_attempts` attempts per slot. An attempt still "running" after `timeout` is
    taken for dead (its process died) and retried like a failure.
    """

    name: str
    function: JobFunction
    every: timedelta
    max_attempts: int = 3
    retry_backoff: timedelta = timedelta(minutes=1)
    timeout: timedelta = timedelta(hours=1)
    offset: timedelta = timedelta(0)
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 100:
            raise ValueError("a job name is 1 to 100 characters")
        if self.every <= timedelta(0):
            raise ValueError(f"job {self.name}: `every` must be positive")
        if self.max_attempts < 1:
            raise ValueError(f"job {self.name}: `max_attempts` must be at least 1")
        if self.timeout <= timedelta(0):
            raise ValueError(f"job {self.name}: `timeout` must be positive")

    def slot_for(self, moment: datetime) -> datetime:
        """The start of the schedule slot containing `moment` (the schedule's floor)."""
        origin = EPOCH + self.offset
        periods = (moment - origin) // self.every
        return origin + periods * self.every

    def backoff_after(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt number `attempt` before the next one."""
        return self.retry_backoff * (2 ** (attempt - 1))

    def describe_schedule(self) -> str:
        return f"every {describe_interval(self.every)}"


def describe_interval(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count} {unit}" + ("s" if count != 1 else "")
    return f"{interval.total_seconds():g} seconds"


class JobRegistry:
    """Named jobs, in registration order. Names are unique."""

    def __init__(self) -> None:
        self._specs: dict[str, JobSpec] = {}

    def add(self, spec: JobSpec) -> JobSpec:
        if spec.name in self._specs:
            raise ValueError(f"job {spec.name!r} is registered twice")
        self._specs[spec.name] = spec
        return spec

    def get(self, name: str) -> JobSpec:
        try:
            return self._specs[name]
        except KeyError:
            known = ", ".join(self._specs) or "none"
            raise NotFound(f"no job named {name!r} (known jobs: {known})") from None

    def names(self) -> list[str]:
        return list(self._specs)

    def __iter__(self) -> Iterator[JobSpec]:
        return iter(list(self._specs.values()))

    def __len__(self) -> int:
        return len(self._specs)


# The process-wide registry that `@job` fills and `load_registry` returns.
JOBS = JobRegistry()


def job(
    name: str,
    *,
    every: timedelta,
    max_attempts: int = 3,
    retry_backoff: timedelta = timedelta(minutes=1),
    timeout: timedelta = timedelta(hours=1),
    offset: timedelta = timedelta(0),
    registry: JobRegistry | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated `function(context, scheduled_for)` as a scheduled job."""

    def register(function: JobFunction) -> JobFunction:
        doc = (function.__doc__ or "").strip().splitlines()
        spec = JobSpec(
            name=name,
            function=function,
            every=every,
            max_attempts=max_attempts,
            retry_backoff=retry_backoff,
            timeout=timeout,
            offset=offset,
            description=doc[0] if doc else "",
        )
        (JOBS if registry is None else registry).add(spec)
        return function

    return register


def load_registry(modules: tuple[str, ...] = JOB_MODULES) -> JobRegistry:
    """Import every domain job module (once; Python caches them) and return the registry."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise Invalid(f"cannot load job module {module}: {error}", status=500) from error
    return JOBS
