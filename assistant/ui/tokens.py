"""Shopper conversation tokens: who may continue a conversation on the web.

A token is ``<random>.<mac>``: 32 bytes from ``secrets.token_urlsafe`` and an HMAC-SHA256 tag
under a server key (derived from the verification key, ``AISLE_VERIFY_SECRET`` or
``AISLE_HOME/.verify_secret``), so the server can tell a token it issued from one a client
made up without keeping a table of them. The server never stores the token: a conversation's
id (``chat_sessions.id``) is the SHA-256 of the token (and, for the chat page, the browser's
conversation number), so the id a staff screen, a log line or a backup shows does not let
anyone continue the conversation, and a token that was never issued can only ever start a
new one.

- The chat page holds its token in the ``aisle_shopper`` cookie (HttpOnly, SameSite=Strict,
  Secure with ``AISLE_SECURE_COOKIES``), set by :class:`ShopperCookieMiddleware` in the
  FastAPI app; "New conversation" changes only a conversation number kept in the browser,
  so a browser reaches its own conversations and nobody else's.
- The ``/chat`` API (Gradio) and ``POST /v1/chat`` return a token as ``session_id`` in the
  first answer; the client passes it back. An unknown token starts a new conversation with
  a new token.
- ``aisle chat`` and the Python ``Assistant.turn`` are local and take conversation ids as
  they are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import cookie_parser

from assistant.settings import Settings, get_settings

COOKIE = "aisle_shopper"
COOKIE_MAX_AGE_S = 30 * 24 * 3600  # the chat page finds its conversation again for 30 days
TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 200
MAX_CONVERSATION_CHARS = 64


_KEYS: dict[tuple[str, str | None], bytes] = {}


def token_key(settings: Settings | None = None) -> bytes:
    """The MAC key of shopper tokens, derived from the verification key of the home (or
    ``AISLE_VERIFY_SECRET``)."""
    from assistant.verify.codes import server_key

    settings = settings or get_settings()
    secret = settings.verify_secret.get_secret_value() if settings.verify_secret else None
    cache = (str(settings.home), secret)
    if cache not in _KEYS:
        _KEYS[cache] = hmac.new(server_key(settings), b"aisle shopper token v1", hashlib.sha256).digest()
    return _KEYS[cache]


def _mac(random_part: str, key: bytes) -> str:
    return hmac.new(key, random_part.encode(), hashlib.sha256).hexdigest()[:32]


def issue(settings: Settings | None = None) -> str:
    """A new token (nothing is stored: the conversation it names is made by its first turn)."""
    random_part = secrets.token_urlsafe(TOKEN_BYTES)
    return f"{random_part}.{_mac(random_part, token_key(settings))}"


def is_issued(token: Any, settings: Settings | None = None) -> bool:
    """Whether ``token`` is one this server issued (its tag checks out)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return False
    if not token.isascii():  # issued tokens are ASCII; compare_digest refuses other text (a 500)
        return False
    random_part, _, tag = token.rpartition(".")
    if not random_part or not tag:
        return False
    return hmac.compare_digest(_mac(random_part, token_key(settings)), tag)


def conversation_id(token: str, number: str = "") -> str:
    """The conversation a token (and a browser's conversation number) names: a SHA-256 hex
    digest, 64 characters, the ``chat_sessions.id``."""
    return hashlib.sha256(f"{token}\n{number}".encode()).hexdigest()


def new_conversation_number() -> str:
    return secrets.token_hex(8)


def clean_number(value: Any) -> str:
    """A browser's conversation number as sent (anything else: the browser's first one)."""
    if isinstance(value, str) and len(value) <= MAX_CONVERSATION_CHARS and value.isalnum():
        return value
    return ""


def cookie_token(request: Any) -> str | None:
    """The shopper token of a Starlette or Gradio request, if the server issued it."""
    try:
        value = request.cookies.get(COOKIE)
    except AttributeError:
        return None
    return value if is_issued(value) else None


# --------------------------------------------------------------------------- middleware
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _cookie_header(token: str, secure: bool) -> bytes:
    parts = [f"{COOKIE}={token}", "Path=/", f"Max-Age={COOKIE_MAX_AGE_S}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


class ShopperCookieMiddleware:
    """Give every browser a server-issued shopper token in an HttpOnly cookie.

    A request without a valid ``aisle_shopper`` cookie (none, or one this server never issued)
    gets a fresh token: it is put into the request's own cookies, so the handler of this very
    request (a Gradio event) sees it, and set on the response. A cross-site request
    (``Sec-Fetch-Site: cross-site``, which a SameSite=Strict cookie never accompanies) gets a
    throw-away token for the request only and no ``Set-Cookie``, so following a link from
    another site never replaces the shopper's cookie.
    """

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        cookie_text = "; ".join(v.decode("latin-1") for n, v in headers if n == b"cookie")
        site = next((v.lower() for n, v in headers if n == b"sec-fetch-site"), b"")
        if is_issued(cookie_parser(cookie_text).get(COOKIE)):
            await self.app(scope, receive, send)
            return
        token = issue()
        # the request goes on with the new token in place of a missing or made-up one; every
        # other cookie is passed on exactly as sent
        kept = [part for part in cookie_text.split(";") if part.split("=", 1)[0].strip() != COOKIE]
        cookie = "; ".join([*(p.strip() for p in kept if p.strip()), f"{COOKIE}={token}"])
        scope = dict(scope)
        scope["headers"] = [(n, v) for n, v in headers if n != b"cookie"] + [
            (b"cookie", cookie.encode("latin-1"))
        ]
        set_cookie = None if site == b"cross-site" else _cookie_header(token, get_settings().secure_cookies)

        async def send_with_cookie(message: Message) -> None:
            if message.get("type") == "http.response.start" and set_cookie is not None:
                message = dict(message)
                message["headers"] = [*list(message.get("headers") or []), (b"set-cookie", set_cookie)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
