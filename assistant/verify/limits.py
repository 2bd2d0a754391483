"""Failures per client with exponential back-off, kept in the store (``RateLimit`` rows), so
the limit holds across conversations, processes and app replicas sharing the database.

A client may fail ``free`` times; each failure after that locks it for ``base_s`` doubled per
extra failure, at most ``max_s``. After ``forget_s`` without a failure the count starts again.
The caller owns the transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant.settings import Settings
from assistant.store.models import RateLimit

KEY_CHARS = 128


@dataclass(frozen=True)
class Backoff:
    free: int = 10
    base_s: float = 30.0
    max_s: float = 3600.0
    forget_s: float = 3600.0

    @classmethod
    def for_verification(cls, settings: Settings) -> Backoff:
        return cls(
            settings.verify_free_failures,
            settings.verify_backoff_s,
            settings.verify_backoff_max_s,
            settings.verify_forget_s,
        )


def wait_s(db: Session, scope: str, key: str, now: float | None = None) -> float:
    """Seconds this client must still wait before it may try again (0 = go ahead)."""
    row = db.get(RateLimit, (scope, key[:KEY_CHARS]))
    now = time.time() if now is None else now
    return max(0.0, row.locked_until - now) if row is not None else 0.0


def fail(db: Session, scope: str, key: str, policy: Backoff, now: float | None = None) -> float:
    """Count one failure; returns the back-off it starts (0 while the client is within ``free``)."""
    now = time.time() if now is None else now
    key = key[:KEY_CHARS]
    row = db.get(RateLimit, (scope, key), with_for_update=True)
    if row is None:
        row = RateLimit(scope=scope, key=key, failures=0, last_at=now, locked_until=0.0)
        db.add(row)
    if now - row.last_at > policy.forget_s and row.locked_until <= now:
        row.failures = 0
    row.failures += 1
    row.last_at = now
    over = row.failures - policy.free
    if over > 0:
        row.locked_until = now + min(policy.max_s, policy.base_s * 2 ** min(over - 1, 30))
    db.flush()
    return max(0.0, row.locked_until - now)
