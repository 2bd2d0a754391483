"""Log set-up for the CLI and the app: plain text, or one JSON object a line
(``AISLE_LOG_FORMAT=json``) carrying the request id and the session id of the work it logs.

The ids live in context variables: ``RequestIdMiddleware`` sets ``request_id`` for every HTTP
request (the client's ``X-Request-ID`` when it is a short printable token, else a new one, and
sends it back in the response's ``X-Request-ID``); ``log_context`` sets either for a block
(``assistant.ui.chat.shopper_turn`` sets the session id and, where no HTTP request gave one,
a request id for the turn). A record's own ``extra={...}`` fields go into the JSON as they are.

A JSON line: ``{"time", "level", "logger", "message", "request_id", "session_id", ...extra,
"exception"}`` (``request_id``/``session_id`` only when known, ``exception`` only with one).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
session_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("session_id", default=None)

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
REQUEST_ID_HEADER = b"x-request-id"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# attributes every LogRecord has; anything else on a record came from ``extra``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def log_context(*, request: str | None = None, session: str | None = None) -> Iterator[None]:
    """Within the block, log records carry these ids (``None`` leaves an id as it is)."""
    tokens = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if session is not None:
        tokens.append((session_id, session_id.set(session)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the context's request and session ids."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("request_id", request_id), ("session_id", session_id)):
            value = var.get()
            if value is not None:
                out[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def make_formatter(fmt: str) -> logging.Formatter:
    """``json`` -> ``JsonFormatter``; ``text`` -> the plain ``LEVEL logger: message`` line."""
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


_handler: logging.Handler | None = None


def configure_logging(level: int = logging.WARNING, fmt: str | None = None) -> None:
    """Log to stderr at ``level`` in ``fmt`` (``AISLE_LOG_FORMAT`` when ``None``). Like
    ``logging.basicConfig``, it leaves a root logger that someone else set up (a test runner,
    an embedding app) alone. Called at start-up by the CLI and ``python app.py``."""
    global _handler
    root = logging.getLogger()
    if root.handlers and _handler not in root.handlers:
        return
    if fmt is None:
        from assistant.settings import get_settings

        fmt = get_settings().log_format
    if _handler is None:
        _handler = logging.StreamHandler()
        root.addHandler(_handler)
    _handler.setFormatter(make_formatter(fmt))
    root.setLevel(level)


def json_logs() -> bool:
    """True when this process logs JSON lines (``configure_logging`` with ``json``)."""
    return _handler is not None and isinstance(_handler.formatter, JsonFormatter)


class RequestIdMiddleware:
    """ASGI middleware: a request id for every HTTP request, in the log context while the
    request runs and in the response's ``X-Request-ID`` header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v for n, v in scope.get("headers") or [] if n == REQUEST_ID_HEADER), b"")
        given = sent.decode("latin-1")
        rid = given if _CLIENT_ID.fullmatch(given) else new_request_id()

        async def send_with_id(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                message = dict(message)
                message["headers"] = [
                    *list(message.get("headers") or []),
                    (REQUEST_ID_HEADER, rid.encode("latin-1")),
                ]
            await send(message)

        with log_context(request=rid):
            await self.app(scope, receive, send_with_id)
