"""Sign-in throttling: too many failed sign-ins lock an email, or a client address, out
of `/login` for a while.

Kept in memory, per server process (no schema change; `tenure serve` runs one process).
With several processes each counts on its own, so the effective limit is multiplied by
their number; a restart forgets all counts. Counting does not depend on whether the email
belongs to a user, and a locked email or address is refused before any password check,
so the answers tell nothing about which emails exist.

Rules, for each key (the normalised email, and the client address):
- failures older than the window (`signin_lockout_minutes`) are forgotten;
- the failure that reaches the limit (`signin_max_failures` for an email,
  `signin_max_failures_per_address` for an address) locks the key for the window;
- a successful sign-in forgets the email's failures (not the address's, so one working
  account does not reset an address that is guessing at others).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tenure.config import Settings

# Bound on keys remembered, so a flood of made-up emails cannot grow memory without end;
# the least recently touched keys are forgotten first.
MAX_KEYS = 50_000


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


@dataclass(frozen=True)
class Limit:
    """How many failures within `window_seconds` lock a kind of key."""

    max_failures: int
    window_seconds: float


class SignInThrottle:
    """Failure counts and lockouts per key ("email:..." / "address:...")."""

    def __init__(
        self, email_limit: Limit, address_limit: Limit, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = {"email": email_limit, "address": address_limit}
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInThrottle:
        window = settings.signin_lockout_minutes * 60
        return cls(
            Limit(settings.signin_max_failures, window),
            Limit(settings.signin_max_failures_per_address, window),
        )

    def locked_for(self, email: str, address: str | None) -> float:
        """Seconds until both keys may try again (0: not locked)."""
        now = self.clock()
        with self._lock:
            waits = [self._locked(key, now) for key in self._keys(email, address)]
        return max(waits, default=0.0)

    def failed(self, email: str, address: str | None) -> float:
        """Count a failure; returns the seconds to wait if it locked a key (else 0)."""
        now = self.clock()
        with self._lock:
            waits = [self._fail(kind, key, now) for kind, key in self._kinds(email, address)]
            self._evict()
        return max(waits, default=0.0)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._records.pop(_email_key(email), None)

    def _kinds(self, email: str, address: str | None) -> list[tuple[str, str]]:
        kinds = [("email", _email_key(email))]
        if address:
            kinds.append(("address", f"address:{address}"))
        return kinds

    def _keys(self, email: str, address: str | None) -> list[str]:
        return [key for _kind, key in self._kinds(email, address)]

    def _locked(self, key: str, now: float) -> float:
        record = self._records.get(key)
        return max(0.0, record.locked_until - now) if record is not None else 0.0

    def _fail(self, kind: str, key: str, now: float) -> float:
        limit = self.limits[kind]
        record = self._records.pop(key, None) or _Record()
        self._records[key] = record  # most recently touched last
        while record.failures and record.failures[0] <= now - limit.window_seconds:
            record.failures.popleft()
        record.failures.append(now)
        if len(record.failures) >= limit.max_failures:
            record.failures.clear()
            record.locked_until = now + limit.window_seconds
        return max(0.0, record.locked_until - now)

    def _evict(self) -> None:
        while len(self._records) > MAX_KEYS:
            self._records.popitem(last=False)


def _email_key(email: str) -> str:
    return f"email:{email.strip().lower()}"


def minutes_text(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute" + ("" if minutes == 1 else "s")
