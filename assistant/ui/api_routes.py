"""``POST /v1/chat``: one shopper turn over plain HTTP and JSON, beside the Gradio ``/chat``.

Body: ``{"message": str, "session": token | null, "user_id": str | null, "diversity": 0..1 | null}``
(``session_id`` is read as a synonym of ``session``). The answer is the ``aisle chat --json``
object with ``session_id`` the conversation's token, repeated as ``session``. Bad input gets
a 4xx with ``{"error": "<what is wrong and how to fix it>"}``: 400 for a body that is not a
JSON object, 413 for one over ``MAX_BODY_BYTES``, 422 for a missing or mistyped field.
"""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import UserError
from assistant.ui import chat

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_BODY_BYTES = 64 * 1024  # four times the longest message in UTF-8, plus the other fields
FIELDS = {"message", "session", "session_id", "user_id", "diversity"}


def _error(status: int, text: str) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


@router.post("/v1/chat")
async def chat_v1(request: Request) -> JSONResponse:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return _error(413, f"the request body is over {MAX_BODY_BYTES:,} bytes")
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return _error(400, "the body is not JSON: send an object such as {\"message\": \"hello\"}")
    if not isinstance(data, dict):
        return _error(400, "the body must be a JSON object such as {\"message\": \"hello\"}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        return _error(422, f"unknown field {unknown[0]!r}; use {', '.join(sorted(FIELDS))}")
    session = data.get("session", data.get("session_id"))
    client = chat.client_address(request)
    try:
        out = await run_in_threadpool(
            chat.chat_api, data.get("message"), session, client,
            user_id=data.get("user_id"), diversity=data.get("diversity"), route="v1_chat",
        )
    except UserError as err:
        return _error(422, str(err))
    return JSONResponse({**out, "session": out["session_id"]})


CHAT_RUN_PATHS = frozenset(
    f"/gradio_api/{route}/chat{slash}" for route in ("run", "api") for slash in ("", "/")
)


class ChatRunErrors:
    """Gradio's direct routes to the ``/chat`` endpoint (``/gradio_api/run/chat``,
    ``/gradio_api/api/chat``) answer every handler error with HTTP 500. An error the handler
    raised on purpose (``gr.Error``: bad input, whose message Gradio passes on) is the
    client's, so it goes out as 422 with the same body (Gradio marks it with a ``title``);
    any other failure stays a 500."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("type") != "http" or scope.get("path") not in CHAT_RUN_PATHS:
            await self.app(scope, receive, send)
            return
        held: list[dict] = []

        async def hold(message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 500:
                held.append(dict(message))
                return
            if held and message["type"] == "http.response.body":
                held.append(dict(message))
                if message.get("more_body"):
                    return
                start, *parts = held
                body = b"".join(p.get("body", b"") for p in parts)
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                # Gradio gives a gr.Error's payload a title; other exceptions get none
                if isinstance(payload, dict) and payload.get("error") and "title" in payload:
                    start["status"] = 422
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, hold)
