"""Staff access: sign-in through the server, sessions in an HttpOnly cookie, lockout,
exports for admins.

``/staff/login`` (``assistant.staff.routes``) checks the password under the throttle and
sets the ``aisle_staff`` cookie (HttpOnly, SameSite=Strict, Secure when
``AISLE_SECURE_COOKIES``). Every agent and dashboard handler resolves that cookie through
:meth:`StaffAccess.require` on the server before it reads or changes anything; nothing a
client sends besides the cookie (Gradio's ``session_hash``, component values, state)
counts as a sign-in.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.settings import Settings, get_settings
from assistant.staff.auth import AccessDenied, Principal, Role, authenticate, require
from assistant.staff.exports import ExportFiles
from assistant.staff.lockout import SignInThrottle
from assistant.staff.sessions import SessionTable, StaffSession

COOKIE = "aisle_staff"
MAX_AGE_S = 12 * 3600  # a sign-in ends after this however busy


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt: a session token, or why not."""

    principal: Principal | None = None
    token: str | None = None
    retry_after: float = 0.0  # > 0: locked out for this many seconds


class StaffAccess:
    """Sessions, the sign-in throttle and the export folder of one server."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.sessions = SessionTable(settings.staff_idle_minutes * 60.0, MAX_AGE_S, clock)
        self.throttle = SignInThrottle(clock=clock)
        self.exports = ExportFiles(settings.home / "exports", clock=clock)

    def sign_in(self, username: str, password: str, client: str) -> SignIn:
        """Check the password unless locked out; a success opens a session."""
        wait = self.throttle.retry_after(username, client)
        if wait > 0:
            return SignIn(retry_after=wait)
        principal = authenticate(username, password, self.settings)
        if principal is None:
            return SignIn(retry_after=self.throttle.failed(username, client))
        self.throttle.succeeded(username, client)
        return SignIn(principal, self.sessions.create(principal, client))

    def sign_out(self, token: str | None) -> None:
        self.sessions.revoke(token)

    def session(
        self, token: str | None, role: Role = "agent", *, touch: bool = True
    ) -> StaffSession:
        """The live session of ``token`` with ``role``, or ``AccessDenied``."""
        row = self.sessions.get(token, touch=touch)
        require(row.principal if row else None, role)
        assert row is not None
        return row


@functools.lru_cache(maxsize=1)
def get_staff() -> StaffAccess:
    """The server's staff access (one per process, built from the settings)."""
    return StaffAccess(get_settings())


def cookie_token(request: Any) -> str | None:
    """The staff cookie of a Starlette or Gradio request (``None`` when absent)."""
    try:
        value = request.cookies.get(COOKIE)
    except AttributeError:
        return None
    return value if isinstance(value, str) and value else None


def client_address(request: Any) -> str:
    try:
        return str(request.client.host or "")
    except AttributeError:
        return ""


def staff_session(request: Any, role: Role = "agent", *, touch: bool = True) -> StaffSession:
    """The session a request's cookie names, with ``role``; ``AccessDenied`` otherwise."""
    return get_staff().session(cookie_token(request), role, touch=touch)


__all__ = [
    "COOKIE",
    "AccessDenied",
    "SignIn",
    "StaffAccess",
    "client_address",
    "cookie_token",
    "get_staff",
    "staff_session",
]
