"""Sign-in rate limit: a lockout with exponential back-off per user name and client
address, and a looser one per client address alone (one address trying many names).

After ``free`` failures in a row the key is locked for ``base_s`` seconds, doubling with
every further failure up to ``cap_s``. While locked, every attempt is refused before any
password is checked, the right one included. A success clears the user-name key; failures
are forgotten ``forget_s`` after the last one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BackOff:
    free: int
    base_s: float = 30.0
    cap_s: float = 900.0

    def lock_s(self, failures: int) -> float:
        """How long ``failures`` failures in a row lock the key (0 while under ``free``)."""
        if failures < self.free:
            return 0.0
        return min(self.cap_s, self.base_s * 2 ** min(failures - self.free, 30))


PER_USER = BackOff(free=5)
PER_CLIENT = BackOff(free=20)


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


class SignInThrottle:
    """Counts failed sign-ins; ``retry_after`` says how long a caller must wait (0: go)."""

    def __init__(
        self,
        per_user: BackOff = PER_USER,
        per_client: BackOff = PER_CLIENT,
        forget_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rules = {"user": per_user, "client": per_client}
        self.forget_s, self.clock = forget_s, clock
        self._records: dict[tuple[str, ...], _Record] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, client: str) -> dict[str, tuple[str, ...]]:
        return {
            "user": ("user", (username or "").strip().lower()[:100], client),
            "client": ("client", client),
        }

    def retry_after(self, username: str, client: str) -> float:
        """Seconds until this user name may try again from this client (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [
                record.locked_until - now
                for key in self._keys(username, client).values()
                if (record := self._records.get(key)) is not None
            ]
        return max([0.0, *waits])

    def failed(self, username: str, client: str) -> float:
        """Count one failure; returns the wait it imposes (0 while under the free tries)."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            for rule, key in self._keys(username, client).items():
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                record.last_failure = now
                record.locked_until = max(
                    record.locked_until, now + self.rules[rule].lock_s(record.failures)
                )
        return self.retry_after(username, client)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._records.pop(self._keys(username, client)["user"], None)

    def _sweep(self, now: float) -> None:
        stale = [
            key
            for key, record in self._records.items()
            if now - record.last_failure > self.forget_s and now >= record.locked_until
        ]
        for key in stale:
            del self._records[key]
