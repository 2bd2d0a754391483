"""One-time codes: six digits from ``secrets``, kept only as a keyed digest with an expiry.

The digest is HMAC-SHA256 under a server key (``AISLE_VERIFY_SECRET``, else a random key kept
in the home folder) over a per-code salt and the code, so someone who reads a conversation's
saved state (an agent, a backup) cannot try the million codes offline.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from pathlib import Path
from typing import Any

from assistant.settings import Settings

CODE_DIGITS = 6
# "123456", "123 456", "123-456"; never part of a longer number (an order id, a phone)
_CODE = re.compile(r"(?<![\d.,])(\d{3})[ -]?(\d{3})(?![\d.,]?\d)")
MASK = "••••••"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def find_code(text: str) -> str | None:
    """The six-digit code in a message ("my code is 123 456"), or ``None``."""
    match = _CODE.search(text or "")
    return match.group(1) + match.group(2) if match else None


def redact(value: Any) -> Any:
    """``value`` (text, or slots: dicts and lists of them) with every code-shaped number masked."""
    if isinstance(value, str):
        return _CODE.sub(MASK, value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and find_code(str(value)) == f"{value:06d}"
    ):
        return MASK
    return value


def digest(key: bytes, salt: str, code: str) -> str:
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def matches(key: bytes, salt: str, expected: str, code: str) -> bool:
    return hmac.compare_digest(digest(key, salt, code), expected)


def server_key(settings: Settings) -> bytes:
    """The HMAC key: the setting, else ``<home>/.verify_secret`` (made on first use, mode 600)."""
    if settings.verify_secret is not None:
        return settings.verify_secret.get_secret_value().encode()
    path: Path = settings.ensure_home() / ".verify_secret"
    try:  # the first process to need it creates it; every other one reads that one
        with open(path, "x", encoding="utf-8") as out:
            path.chmod(0o600)
            out.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    for _ in range(100):  # the creator may not have written it yet
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value.encode()
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and try again")
