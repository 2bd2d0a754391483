"""Agent / admin sign-in for the assist and dashboard views.

Credentials come from settings: ``AISLE_AGENT_USER`` / ``AISLE_AGENT_PASSWORD_HASH``
(role ``agent``: the assist view) and ``AISLE_ADMIN_USER`` / ``AISLE_ADMIN_PASSWORD_HASH``
(role ``admin``: the assist view and the store-owner dashboard). Hashes have the form
``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``; make one with ``aisle hash-password``.
New hashes use 600,000 iterations of PBKDF2-HMAC-SHA256 (OWASP's current figure); older
hashes with fewer iterations still verify.

When a hash is not set, the default password applies: ``aisle-agent`` for the agent and
``aisle-admin`` for the admin. :func:`check_serving` refuses to serve on any address but
loopback while a default applies, and names what to set.

Passwords are compared with :func:`hmac.compare_digest` on the derived keys (constant time);
an unknown user name still pays for one key derivation so timing does not reveal it.
Sessions, lockout and exports built on this live in :mod:`assistant.staff`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from typing import Literal

from assistant.errors import UserError
from assistant.settings import Settings, get_settings

logger = logging.getLogger(__name__)

DEFAULT_AGENT_PASSWORD = "aisle-agent"
DEFAULT_ADMIN_PASSWORD = "aisle-admin"
ALGORITHM = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 600_000  # OWASP password storage cheat sheet, PBKDF2-HMAC-SHA256
MIN_PASSWORD_CHARS = 10

Role = Literal["agent", "admin"]


@dataclass(frozen=True)
class Principal:
    """A signed-in support agent or store admin."""

    username: str
    role: Role

    def can(self, role: Role) -> bool:
        """Admins may do everything agents may; agents only agent things."""
        return self.role == "admin" or self.role == role


class AccessDenied(PermissionError):
    """An agent/admin action was called without the right sign-in."""


def hash_password(
    password: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS
) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` for ``password`` with a fresh random salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${key.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches ``encoded``; a malformed hash never matches."""
    try:
        algorithm, iterations_text, salt_hex, key_hex = encoded.split("$")
        iterations = int(iterations_text)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(key_hex)
    except ValueError:
        logger.error(
            "malformed password hash in settings (expected %s$iterations$salt$hash)", ALGORITHM
        )
        return False
    if algorithm != ALGORITHM or iterations < 1:
        return False
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(key, expected)


@functools.lru_cache(maxsize=4)
def _default_hash(password: str) -> str:
    return hash_password(password)


def _accounts(settings: Settings) -> list[tuple[str, str, Role]]:
    admin_user = getattr(settings, "admin_user", "admin")
    admin_hash = getattr(settings, "admin_password_hash", None)
    return [
        (
            settings.agent_user,
            settings.agent_password_hash or _default_hash(DEFAULT_AGENT_PASSWORD),
            "agent",
        ),
        (admin_user, admin_hash or _default_hash(DEFAULT_ADMIN_PASSWORD), "admin"),
    ]


def authenticate(
    username: str, password: str, settings: Settings | None = None
) -> Principal | None:
    """The principal for these credentials, or ``None`` when they are wrong."""
    settings = settings or get_settings()
    username = (username or "").strip()
    matched: tuple[str, str, Role] | None = None
    for account in _accounts(settings):
        if hmac.compare_digest(username.encode("utf-8"), account[0].encode("utf-8")):
            matched = matched or account
    # Always derive one key, so a wrong user name costs as much as a wrong password.
    encoded = matched[1] if matched else _default_hash("\x00unknown user")
    if verify_password(password or "", encoded) and matched is not None:
        return Principal(username=matched[0], role=matched[2])
    logger.warning("failed sign-in for user %r", username[:50])
    return None


def default_credentials(settings: Settings | None = None) -> list[str]:
    """The settings still granting a default password (unset, or the hash of the default)."""
    settings = settings or get_settings()
    out = []
    for name, encoded, default in (
        ("AISLE_AGENT_PASSWORD_HASH", settings.agent_password_hash, DEFAULT_AGENT_PASSWORD),
        ("AISLE_ADMIN_PASSWORD_HASH", settings.admin_password_hash, DEFAULT_ADMIN_PASSWORD),
    ):
        if not encoded or verify_password(default, encoded):
            out.append(name)
    return out


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    host = (host or "").strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_serving(host: str, settings: Settings | None = None) -> list[str]:
    """Refuse to serve on a non-loopback ``host`` with a default password (a ``UserError``).

    Returns the settings still at their default (loopback only: the caller warns).
    """
    defaults = default_credentials(settings)
    if defaults and not is_loopback(host):
        raise UserError(
            f"refusing to serve on {host} with the default staff password: set "
            f"{' and '.join(defaults)} (make each with `aisle hash-password`)"
        )
    return defaults


def require(principal: Principal | None, role: Role = "agent") -> Principal:
    """Server-side check every agent/admin handler runs first."""
    if principal is None or not isinstance(principal, Principal) or not principal.can(role):
        raise AccessDenied(f"sign in as {'an admin' if role == 'admin' else 'an agent'} first")
    return principal
