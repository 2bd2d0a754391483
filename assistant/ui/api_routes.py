"""The ``/v1`` REST API beside the Gradio ``/chat`` (bodies: ``assistant.ui.api_models``).

- ``POST /v1/chat``: one shopper turn. Body ``{"message": str, "session": token | null,
  "user_id": str | null, "diversity": 0..1 | null}`` (``session_id`` is read as a synonym of
  ``session``). The answer is the ``aisle chat --json`` object with ``session_id`` the
  conversation's token, repeated as ``session``.
- ``GET /v1/search?q=...``: ``aisle search --json`` over HTTP (``assistant.search.search_products``,
  the CLI's path), with its filters (``min_price``, ``max_price``, ``category``, ``brand``) and
  ``k``, ``diversity``, ``user_id``.
- ``GET /v1/chat/messages?session=...&after=ID&wait=S``: the conversation's messages after
  ``after``; with ``wait`` it holds the request up to ``S`` seconds until one comes (an agent's
  reply, sent through any replica, wakes it through ``assistant.notify``). The shopper's
  long poll, for clients that are not the Gradio page.
- ``POST /v1/feedback``: a thumbs up/down on a reply, or a click / card action on a product, of
  the caller's own conversation: the session token is checked as ``/v1/chat`` checks it (a token
  this server never issued: 403), and a message or product outside that conversation is 404.

Bad input gets a 4xx with ``{"error": "<what is wrong and how to fix it>"}``: 400 for a body
that is not JSON (an object), 413 for one over ``MAX_BODY_BYTES``, 422 for a missing, mistyped,
out-of-range or unknown field.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant import notify
from assistant.errors import UserError
from assistant.ui import chat, tokens
from assistant.ui.api_models import (
    FEEDBACK_KINDS,
    MAX_FILTER_CHARS,
    MAX_K,
    MAX_QUERY_CHARS,
    MAX_WAIT_S,
    ApiError,
    ChatRequest,
    ChatResponse,
    Diversity,
    FeedbackRequest,
    FeedbackResponse,
    MessagesResponse,
    SearchResponse,
    ThumbsFeedback,
    UserId,
)

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_BODY_BYTES = 64 * 1024  # four times the longest message in UTF-8, plus the other fields
FIELDS = {"message", "session", "session_id", "user_id", "diversity"}


def _error(status: int, text: str) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "the body is not JSON",
        403: "a session token this server did not issue",
        404: "not part of this conversation",
        413: "the body is too large",
        422: "a missing, mistyped, out-of-range or unknown field",
        503: "the search index is not ready",
    }
    return {code: {"model": ApiError, "description": text[code]} for code in codes}


CHAT_BODY = {  # documented from the model; checked by the handler (chat.check_api_input)
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ChatRequest.model_json_schema()}},
    }
}


@router.post(
    "/v1/chat",
    response_model=ChatResponse,
    responses=_errors(400, 413, 422),
    openapi_extra=CHAT_BODY,
    summary="One shopper turn",
)
async def chat_v1(request: Request) -> JSONResponse:
    """The body (``ChatRequest``) is read and checked here, not by FastAPI, so that a body that
    is not JSON is a 400 and one over 64 KiB a 413, each with a clear ``error``."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return _error(413, f"the request body is over {MAX_BODY_BYTES:,} bytes")
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return _error(400, 'the body is not JSON: send an object such as {"message": "hello"}')
    if not isinstance(data, dict):
        return _error(400, 'the body must be a JSON object such as {"message": "hello"}')
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        return _error(422, f"unknown field {unknown[0]!r}; use {', '.join(sorted(FIELDS))}")
    session = data.get("session", data.get("session_id"))
    client = chat.client_address(request)
    try:
        out = await run_in_threadpool(
            chat.chat_api,
            data.get("message"),
            session,
            client,
            user_id=data.get("user_id"),
            diversity=data.get("diversity"),
            route="v1_chat",
        )
    except UserError as err:
        return _error(422, str(err))
    return JSONResponse({**out, "session": out["session_id"]})


@router.get(
    "/v1/chat/messages",
    response_model=MessagesResponse,
    responses=_errors(403, 422),
    summary="The conversation's messages after an id, waiting up to `wait` s for one",
)
async def messages_v1(
    session: Annotated[str, Query(min_length=1, max_length=200, description="the session token")],
    after: Annotated[int, Query(ge=0, le=2**62, description="the last message id seen")] = 0,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_S, allow_inf_nan=False, description="seconds to wait")
    ] = 0.0,
) -> JSONResponse:
    if not tokens.is_issued(session):
        return _error(
            403,
            "session is not a token this server issued: pass the `session` of a /v1/chat answer",
        )
    conversation = tokens.conversation_id(session)
    found = await notify.wait_for_async(
        conversation, lambda: chat.new_messages(conversation, after), wait
    )
    return JSONResponse({"session": session, "messages": found})


@router.get(
    "/v1/search",
    response_model=SearchResponse,
    responses=_errors(422, 503),
    summary="Search the catalogue (aisle search --json)",
)
async def search_v1(
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="what to look for")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="how many products")] = 10,
    min_price: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    max_price: Annotated[float | None, Query(ge=0, allow_inf_nan=False)] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=MAX_FILTER_CHARS)] = None,
    brand: Annotated[str | None, Query(min_length=1, max_length=MAX_FILTER_CHARS)] = None,
    diversity: Annotated[Diversity | None, Query()] = None,
    user_id: Annotated[UserId | None, Query()] = None,
) -> JSONResponse:
    from assistant.search import make_filters, search_products, shared_service

    try:
        filters = make_filters(
            min_price=min_price, max_price=max_price, category=category, brand=brand
        )
    except UserError as err:
        return _error(422, str(err))
    try:
        found = await run_in_threadpool(
            lambda: search_products(
                q,
                filters,
                k=k,
                diversity=diversity,
                user=user_id,
                service=shared_service(chat.current_assistant()),
            )
        )
    except UserError as err:  # no index yet, or one older than the catalogue
        logger.warning("search is not available: %s", err)
        return _error(503, f"search is not available: {err}")
    return JSONResponse(found)


@router.post(
    "/v1/feedback",
    response_model=FeedbackResponse,
    responses=_errors(400, 403, 404, 413, 422),
    summary="Thumbs on a reply, or a click on a product, of the caller's conversation",
)
async def feedback_v1(body: Annotated[FeedbackRequest, Body()]) -> JSONResponse:
    if not tokens.is_issued(body.session):
        return _error(
            403,
            "session is not a token this server issued: pass the `session` of a /v1/chat answer",
        )
    conversation = tokens.conversation_id(body.session)
    try:
        if isinstance(body, ThumbsFeedback):
            liked = body.rating == "up"
            feedback_id = await run_in_threadpool(
                chat.add_thumbs, conversation, body.message_id, liked, body.reason
            )
            out = FeedbackResponse(
                kind=body.kind, feedback_id=feedback_id, message_id=body.message_id
            )
        else:
            await run_in_threadpool(
                chat.record_shown_event, conversation, body.product_id, body.kind
            )
            out = FeedbackResponse(kind=body.kind, product_id=body.product_id)
    except chat.NotInConversation as err:
        return _error(404, str(err))
    except UserError as err:
        return _error(422, str(err))
    return JSONResponse(out.model_dump(exclude_none=True))


# ------------------------------------------------------------------ errors and limits
def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query"):
        kind, parts = parts[0], parts[1:]
        if parts and parts[0] in FEEDBACK_KINDS:
            parts = parts[1:]  # the union member pydantic tried, not a field
        if not parts:
            return "the body" if kind == "body" else "the query"
        return ("query parameter " if kind == "query" else "") + ".".join(parts)
    return ".".join(parts) or "the request"


def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's validation errors on ``/v1`` as ``{"error": ...}``: the first problem, naming
    the field (400 when the body is not JSON)."""
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
    if first.get("type") == "json_invalid":
        return _error(400, "the body is not JSON: send a JSON object")
    where, msg = _where(tuple(first.get("loc") or ())), str(first.get("msg", "invalid"))
    if first.get("type") == "missing":
        text = f"{where} is missing"
    elif first.get("type") == "extra_forbidden":
        text = f"unknown field {where!r}"
    elif first.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        text = f"kind must be one of {', '.join(FEEDBACK_KINDS)}"
    elif where == "the body":
        text = 'the body must be a JSON object such as {"kind": "thumbs", ...}'
    else:
        text = f"{where}: {msg}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return _error(422, text)


LIMITED_PATHS = frozenset({"/v1/feedback", "/v1/feedback/"})


class BodyLimit:
    """Refuse a body over ``MAX_BODY_BYTES`` on ``LIMITED_PATHS`` with 413 before FastAPI reads it
    whole (``/v1/chat`` reads its own body with the same limit)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("type") != "http" or scope.get("path") not in LIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        held, size = [], 0
        while True:
            message = await receive()
            held.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_BODY_BYTES:
                response = _error(413, f"the request body is over {MAX_BODY_BYTES:,} bytes")
                await response(scope, receive, send)
                return
            if not message.get("more_body"):
                break

        async def replay():
            return held.pop(0) if held else await receive()

        await self.app(scope, replay, send)


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
