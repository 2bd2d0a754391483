"""The shopper side as plain functions: one turn (shared by the chat page and the
``/chat`` API), the history of a session, card events and thumbs feedback.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assistant import logs
from assistant.errors import UserError
from assistant.settings import get_settings
from assistant.store.db import session_scope
from assistant.store.models import USER_ID_CHARS, ChatSession, Feedback, Message
from assistant.types import TurnResult
from assistant.ui import metrics, tokens
from assistant.ui.render import escape_text
from assistant.ui.runtime import (  # noqa: F401  (the chat page's callers use them from here)
    assistant_ready,
    current_assistant,
    get_assistant,
    set_assistant,
    warm_up,
)

logger = logging.getLogger(__name__)

CARD_EVENTS = ("more_like_this", "not_for_me", "add_to_cart")
PRODUCT_EVENTS = ("click", *CARD_EVENTS)  # what POST /v1/feedback records on a shown product
WAITING_ACTIONS = ("waiting_for_agent",)
AGENT_PREFIX = "**Support agent:** "



class NotInConversation(UserError):
    """An id (message, product, conversation) that is not part of the caller's conversation:
    the same answer whether it exists elsewhere or not (HTTP 404)."""


def shopper_turn(
    message: str,
    session_id: str | None = None,
    user_id: str | None = None,
    diversity: float | None = None,
    client: str | None = None,
    route: str = "page",
) -> TurnResult:
    """One shopper message. While an agent has taken over, the assistant stores it and stays
    silent (``action == "waiting_for_agent"``). ``client`` is the caller's address (the
    verification back-off's key; ``client_address`` reads it from a Gradio request).

    The one place every shopper turn passes (chat page, Gradio ``/chat``, ``POST /v1/chat``):
    it is counted and timed here (``assistant.ui.metrics``), under ``route``."""
    message = (message or "").strip()
    limit = get_settings().max_message_chars
    problem = None
    if not message:
        problem = "the message is empty: type a question or what you are looking for"
    elif len(message) > limit:
        problem = f"the message is {len(message)} characters; keep it under {limit}"
    if problem:
        metrics.current().observe_error(route, "user")
        raise UserError(problem)
    assistant = get_assistant()
    kwargs: dict[str, Any] = {"session_id": session_id, "user_id": user_id}
    if client is not None:
        kwargs["client"] = client
    if diversity is not None:
        kwargs["diversity"] = float(diversity)
    start = time.perf_counter()
    try:
        with logs.log_context(request=logs.request_id.get() or logs.new_request_id(),
                              session=session_id):
            result = assistant.turn(message, **kwargs)
            seconds = time.perf_counter() - start
            logger.info(
                "turn answered",
                extra={"session_id": result.session_id, "action": result.action,
                       "intent": result.intent, "route": route,
                       "latency_ms": round(seconds * 1000.0, 1)},
            )
    except UserError:
        metrics.current().observe_error(route, "user")
        raise
    except Exception:
        metrics.current().observe_error(route, "internal")
        raise
    metrics.current().observe_turn(route, result.action, seconds)
    return result


@dataclass(frozen=True)
class History:
    """A session's chat as the Chatbot shows it, with the DB id of every entry."""

    messages: list[dict[str, Any]]
    message_ids: list[int]
    products: list[dict[str, Any]]
    mode: str | None

    @property
    def last_id(self) -> int:
        return max(self.message_ids, default=0)


def chat_entry(role: str, text: str) -> dict[str, Any]:
    """A Chatbot message: text HTML-escaped; agent messages are labelled."""
    if role == "user":
        return {"role": "user", "content": escape_text(text)}
    content = escape_text(text)
    return {"role": "assistant", "content": AGENT_PREFIX + content if role == "agent" else content}


def load_history(session_id: str | None) -> History:
    """Everything the shopper saw in this session (user, assistant and agent messages)."""
    if not session_id:
        return History([], [], [], None)
    with session_scope() as s:
        chat = s.get(ChatSession, session_id)
        if chat is None:
            return History([], [], [], None)
        rows = s.scalars(
            select(Message)
            .where(
                Message.session_id == session_id, Message.role.in_(("user", "assistant", "agent"))
            )
            .order_by(Message.id)
        ).all()
        messages = [chat_entry(m.role, m.text) for m in rows if m.text]
        ids = [m.id for m in rows if m.text]
        products = next(
            (list(m.products) for m in reversed(rows) if m.role == "assistant" and m.products), []
        )
        return History(messages, ids, products, chat.mode)


def messages_after(session_id: str | None, after_id: int) -> list[tuple[int, str]]:
    """``(id, role)`` of messages newer than ``after_id`` (what the shopper page polls)."""
    if not session_id:
        return []
    with session_scope() as s:
        return [
            (i, r)
            for i, r in s.execute(
                select(Message.id, Message.role)
                .where(Message.session_id == session_id, Message.id > after_id)
                .order_by(Message.id)
            )
        ]


def new_messages(session_id: str | None, after_id: int) -> list[dict[str, Any]]:
    """``{"id", "role", "text"}`` of the shopper-visible messages newer than ``after_id``
    (what ``GET /v1/chat/messages`` returns; the text as stored, not escaped)."""
    if not session_id:
        return []
    with session_scope() as s:
        rows = s.execute(
            select(Message.id, Message.role, Message.text)
            .where(
                Message.session_id == session_id,
                Message.id > after_id,
                Message.role.in_(("user", "assistant", "agent")),
            )
            .order_by(Message.id)
        )
        return [{"id": i, "role": r, "text": t} for i, r, t in rows if t]


def record_card_event(session_id: str | None, product_id: str, kind: str) -> None:
    """A card button: ``more_like_this`` / ``not_for_me`` / ``add_to_cart`` (updates the profile)."""
    if kind not in CARD_EVENTS:
        raise UserError(f"unknown card action {kind!r}; use one of {', '.join(CARD_EVENTS)}")
    if not session_id or not product_id:
        raise UserError("no conversation yet: ask for something first")
    get_assistant().record_event(session_id, product_id, kind)


def add_thumbs(
    session_id: str | None,
    message_id: int | None,
    liked: bool | str | None,
    reason: str | None = None,
) -> int | None:
    """Store a thumbs up/down (or a named reason from the dislike menu), with an optional
    free-text ``reason``; returns the feedback id.

    Only messages of the caller's own session can be rated (``NotInConversation`` otherwise).
    """
    from assistant.feedback import add_feedback

    if message_id is None or not session_id or liked is None:
        return None
    if liked is True or liked == "Like":
        rating, menu_reason = "up", None
    elif liked is False or liked == "Dislike":
        rating, menu_reason = "down", None
    else:
        rating, menu_reason = "down", str(liked)
    reason = "; ".join(r for r in (menu_reason, (reason or "").strip()) if r) or None
    with session_scope() as s:
        message = s.get(Message, message_id)
        if message is None or message.session_id != session_id:
            raise NotInConversation(f"message {message_id} is not part of this conversation")
        return add_feedback(s, message_id, rating=rating, reason=reason, author="shopper").id


def record_shown_event(session_id: str, product_id: str, kind: str) -> None:
    """A click or card action sent through the API (``PRODUCT_EVENTS``): recorded like a card
    button (``Assistant.record_event``), only for a product one of this conversation's answers
    showed (``NotInConversation`` otherwise, and for a conversation that does not exist)."""
    if kind not in PRODUCT_EVENTS:
        raise UserError(f"unknown product event {kind!r}; use one of {', '.join(PRODUCT_EVENTS)}")
    with session_scope() as s:
        if s.get(ChatSession, session_id) is None:
            raise NotInConversation("this session has no conversation yet: send a message first")
        shown = s.scalars(
            select(Message.products).where(
                Message.session_id == session_id, Message.role.in_(("assistant", "agent"))
            )
        )
        ids = {
            str(p.get("id")) for products in shown for p in products or [] if isinstance(p, dict)
        }
    if product_id not in ids:
        raise NotInConversation(
            f"product {product_id!r} was not shown in this conversation; use the id of a product "
            "from one of its answers"
        )
    get_assistant().record_event(session_id, product_id, kind)


def add_reason(session_id: str | None, feedback_id: int | None, reason: str) -> bool:
    """Attach the shopper's optional free-text reason to their latest thumbs. A reason over
    ``MAX_REASON_CHARS``, or one that would take the row's reasons past it, is refused
    (``UserError``) and nothing is written."""
    from assistant.feedback.records import MAX_REASON_CHARS

    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not feedback_id or not reason or not session_id:
        return False
    if len(reason) > MAX_REASON_CHARS:
        raise UserError(f"the reason is {len(reason):,} characters; keep it under {MAX_REASON_CHARS:,}")
    with session_scope() as s:
        row = s.get(Feedback, feedback_id)
        if row is None or row.author != "shopper":
            return False
        message = s.get(Message, row.message_id)
        if message is None or message.session_id != session_id:
            return False
        combined = f"{row.reason}; {reason}" if row.reason else reason
        if len(combined) > MAX_REASON_CHARS:
            raise UserError(f"that message has {MAX_REASON_CHARS:,} characters of reasons already")
        row.reason = combined
    return True


def new_user_id() -> str:
    """An anonymous shopper id for a caller without a shopper token."""
    return f"anon-{uuid.uuid4().hex[:16]}"


def browser_conversation(request: Any, browser: dict[str, Any] | None) -> str | None:
    """The conversation the chat page's request is about: the one its ``aisle_shopper`` cookie
    token and the browser's conversation number name (``None`` without a server-issued
    cookie: such a request reaches no stored conversation)."""
    token = tokens.cookie_token(request)
    if token is None:
        return None
    return tokens.conversation_id(token, tokens.clean_number((browser or {}).get("conversation")))


def browser_user_id(request: Any) -> str:
    """The anonymous personalisation id of the browser's cookie token (``new_user_id`` without
    one): derived on the server, so a client cannot borrow another shopper's profile."""
    token = tokens.cookie_token(request)
    if token is None:
        return new_user_id()
    return "anon-" + hashlib.sha256(f"user\n{token}".encode()).hexdigest()[:16]


MAX_USER_ID_CHARS = USER_ID_CHARS


def check_api_input(message: Any, session_id: Any = None, user_id: Any = None,
                    diversity: Any = None) -> None:
    """The ``/chat`` and ``POST /v1/chat`` inputs: ``UserError`` naming the field otherwise."""
    if message is None:
        raise UserError("message is missing: send the shopper's text as a string")
    if not isinstance(message, str):
        raise UserError(f"message must be a string, not {type(message).__name__}")
    limit = get_settings().max_message_chars
    if len(message) > limit:
        raise UserError(f"message is {len(message)} characters; keep it under {limit}")
    if session_id is not None and not isinstance(session_id, str):
        raise UserError(f"session_id must be a string (a token from an earlier answer) or null, "
                        f"not {type(session_id).__name__}")
    if user_id is not None and (not isinstance(user_id, str) or not user_id.strip()
                                or len(user_id) > MAX_USER_ID_CHARS):
        raise UserError(f"user_id must be a non-empty string of at most {MAX_USER_ID_CHARS} characters")
    if diversity is not None:
        if isinstance(diversity, bool) or not isinstance(diversity, int | float):
            raise UserError(f"diversity must be a number from 0 to 1, not {type(diversity).__name__}")
        if not 0.0 <= float(diversity) <= 1.0:
            raise UserError(f"diversity must be from 0 to 1, not {diversity}")


def chat_api(message: Any, session_id: Any = None, client: str | None = None, *,
             user_id: Any = None, diversity: Any = None, route: str = "gradio_chat") -> dict[str, Any]:
    """The ``/chat`` API: the same JSON object as ``aisle chat --json``, with ``session_id``
    the conversation's token. A token this server issued continues its conversation; no token,
    or one it never issued, starts a new conversation under a new token. ``route`` names the
    entry in the metrics (``gradio_chat`` or ``v1_chat``)."""
    try:
        check_api_input(message, session_id, user_id, diversity)
    except UserError:
        metrics.current().observe_error(route, "user")
        raise
    token = session_id if tokens.is_issued(session_id) else tokens.issue()
    result = shopper_turn(message, tokens.conversation_id(token), user_id, diversity, client=client,
                          route=route)
    return {**result.to_dict(), "session_id": token}


def client_address(request: Any) -> str | None:
    """The address a Gradio request came from (``gr.Request.client.host``), or ``None``.

    Behind a reverse proxy this is the proxy's: run the server with the proxy's forwarded
    headers trusted (uvicorn ``--forwarded-allow-ips``) so it is the shopper's.
    """
    host = getattr(getattr(request, "client", None), "host", None)
    return str(host)[:128] if host else None


def browser_secret() -> str:
    """The key that encrypts the shopper's browser state, kept in the home folder so a
    restarted server still reads the session ids browsers hold."""
    import secrets

    settings = get_settings()
    path = settings.ensure_home() / ".browser_secret"
    try:
        value = path.read_text().strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


def enrich_products(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add what a card shows but a turn's product dict may lack (image, currency, options)
    from the catalogue."""
    from assistant.store.models import Product

    ids = [str(p.get("id")) for p in products if p.get("id") is not None]
    if not ids:
        return list(products)
    with session_scope() as s:
        rows = {r.id: r for r in s.scalars(select(Product).where(Product.id.in_(ids)))}
        out = []
        for p in products:
            row = rows.get(str(p.get("id")))
            extra: dict[str, Any] = {}
            if row is not None:
                extra = {
                    "image_url": row.image_url,
                    "currency": row.currency,
                    "attributes": row.attributes or {},
                }
            out.append({**extra, **{k: v for k, v in p.items() if v not in (None, {}, "")}})
        return out
