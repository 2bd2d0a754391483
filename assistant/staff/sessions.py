"""Server-side staff sessions: a random opaque token in an HttpOnly cookie, the signed-in
principal in a table on the server, idle and absolute expiry.

The table holds the SHA-256 of each token, never the token itself, so the table (a log
line, a debugger) does not hand out sessions. It lives in the server process: a restart
signs staff out, and several replicas need sticky sessions.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.staff.auth import Principal

TOKEN_BYTES = 32


def token_key(token: str) -> str:
    """The table key of a session token (its SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    """One signed-in browser: who, from where, since when, last seen when (monotonic s)."""

    key: str
    principal: Principal
    client: str
    created: float
    last_seen: float


class SessionTable:
    """Issue, look up and revoke staff sessions.

    A session ends ``idle_s`` seconds after its last use, and ``max_age_s`` after sign-in
    whatever its use. Lookups that are not a person's action (a polling timer) pass
    ``touch=False`` and do not keep a session alive.
    """

    def __init__(
        self, idle_s: float, max_age_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle_s, self.max_age_s, self.clock = idle_s, max_age_s, clock
        self._rows: dict[str, StaffSession] = {}
        self._lock = threading.Lock()

    def create(self, principal: Principal, client: str = "") -> str:
        """A new session for ``principal``; returns the token for the cookie."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        row = StaffSession(token_key(token), principal, client, now, now)
        with self._lock:
            self._sweep(now)
            self._rows[row.key] = row
        return token

    def get(self, token: str | None, *, touch: bool = True) -> StaffSession | None:
        """The live session of ``token`` (its idle clock restarted when ``touch``), or ``None``."""
        if not token or len(token) > 200:
            return None
        key, now = token_key(token), self.clock()
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                return None
            if self._expired(row, now):
                del self._rows[key]
                return None
            if touch:
                row = self._rows[key] = replace(row, last_seen=now)
            return row

    def revoke(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._rows.pop(token_key(token), None)

    def _expired(self, row: StaffSession, now: float) -> bool:
        return now - row.last_seen > self.idle_s or now - row.created > self.max_age_s

    def _sweep(self, now: float) -> None:
        for key in [k for k, row in self._rows.items() if self._expired(row, now)]:
            del self._rows[key]

    def __len__(self) -> int:
        with self._lock:
            self._sweep(self.clock())
            return len(self._rows)
