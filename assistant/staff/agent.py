"""Support-agent assist: the queue of live sessions, one session's transcript and
dialogue state, and the agent's actions (send an edited draft, take over, hand back).

Data-access functions take an open SQLAlchemy session and never commit: the caller
owns the transaction (``with session_scope() as s: ...``). Every message an agent
sends is stored as a ``Message(role="agent", text=<sent>, draft=<assistant draft>)``:
the (draft, sent) pairs are training data (``aisle feedback export`` writes them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import UserError
from assistant.store.models import ChatSession, Customer, InteractionEvent, Message, Product

logger = logging.getLogger(__name__)

MAX_AGENT_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class QueueItem:
    """One live conversation as the queue lists it."""

    session_id: str
    handoff: bool
    mode: str
    user_id: str | None
    customer_id: str | None
    messages: int
    last_text: str
    last_at: datetime | None


@dataclass(frozen=True)
class TranscriptLine:
    id: int
    role: str
    text: str
    draft: str | None
    intent: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class SessionView:
    """What the agent sees beside the transcript: the shopper's dialogue state."""

    session_id: str
    mode: str
    handoff: bool
    user_id: str | None
    intent: str | None
    confidence: float | None
    slots: dict[str, Any]
    customer: dict[str, Any] | None
    cart: list[dict[str, Any]]
    transcript: list[TranscriptLine] = field(default_factory=list)

    def state_dict(self) -> dict[str, Any]:
        """The state panel as JSON (no transcript)."""
        return {
            "session_id": self.session_id,
            "mode": self.mode,
            "handoff": self.handoff,
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": self.slots,
            "authenticated_customer": self.customer,
            "cart": self.cart,
        }


def get_chat_session(session: Session, session_id: str) -> ChatSession:
    """The session row, or a ``UserError`` naming the unknown id."""
    row = session.get(ChatSession, session_id) if session_id else None
    if row is None:
        raise UserError(f"session {session_id!r} not found: pick one from the queue")
    return row


def list_queue(
    session: Session, *, limit: int = 50, include_closed: bool = False
) -> list[QueueItem]:
    """Live sessions, handed-off ones first, then the most recently active."""
    last = (
        select(
            Message.session_id.label("sid"),
            func.max(Message.id).label("last_id"),
            func.count(Message.id).label("n"),
        )
        .group_by(Message.session_id)
        .subquery()
    )
    stmt = (
        select(ChatSession, last.c.n, Message)
        .join(last, last.c.sid == ChatSession.id)
        .join(Message, Message.id == last.c.last_id)
        .order_by(ChatSession.handoff.desc(), last.c.last_id.desc())
        .limit(limit)
    )
    if not include_closed:
        stmt = stmt.where(ChatSession.mode != "closed")
    items = []
    for chat, n, msg in session.execute(stmt):
        items.append(
            QueueItem(
                session_id=chat.id,
                handoff=bool(chat.handoff),
                mode=chat.mode or "bot",
                user_id=chat.user_id,
                customer_id=chat.customer_id or _state_customer_id(chat.state or {}),
                messages=int(n),
                last_text=(msg.text or "")[:120],
                last_at=msg.created_at,
            )
        )
    return items


def _state_customer_id(state: dict[str, Any]) -> str | None:
    for key in ("customer_id", "authenticated_customer"):
        value = state.get(key)
        if isinstance(value, str) and value:
            return value
    auth = state.get("auth")
    if isinstance(auth, dict):
        value = auth.get("customer_id")
        if isinstance(value, str) and value:
            return value
    return None


def cart_items(session: Session, session_id: str) -> list[dict[str, Any]]:
    """Products added to the cart in this session (``add_to_cart`` events), with their titles."""
    rows = session.execute(
        select(InteractionEvent.product_id, func.count(InteractionEvent.id))
        .where(InteractionEvent.session_id == session_id, InteractionEvent.kind == "add_to_cart")
        .group_by(InteractionEvent.product_id)
        .order_by(func.min(InteractionEvent.id))
    ).all()
    out = []
    for product_id, quantity in rows:
        product = session.get(Product, product_id)
        out.append(
            {
                "id": product_id,
                "title": product.title if product else product_id,
                "price": round(float(product.price), 2) if product else None,
                "quantity": int(quantity),
            }
        )
    return out


def session_view(session: Session, session_id: str, *, max_messages: int = 200) -> SessionView:
    """Transcript plus dialogue state (intent, slots, authenticated customer, cart)."""
    chat = get_chat_session(session, session_id)
    state = dict(chat.state or {})
    messages = session.scalars(
        select(Message)
        .where(Message.session_id == session_id)
        .order_by(Message.id.desc())
        .limit(max_messages)
    ).all()[::-1]
    last_understood = next(
        (m for m in reversed(messages) if m.intent and m.role == "user"), None
    ) or next((m for m in reversed(messages) if m.intent), None)
    intent = state.get("intent") or (last_understood.intent if last_understood else None)
    confidence = state.get("confidence")
    if confidence is None and last_understood is not None:
        confidence = last_understood.confidence
    slots = state.get("slots")
    if not isinstance(slots, dict):
        slots = dict(last_understood.slots or {}) if last_understood else {}
    customer_id = chat.customer_id or _state_customer_id(state)
    customer = None
    if customer_id:
        row = session.get(Customer, customer_id)
        customer = (
            {"id": row.id, "name": f"{row.first_name} {row.last_name}", "email": row.email}
            if row
            else {"id": customer_id}
        )
    transcript = [
        TranscriptLine(m.id, m.role, m.text, m.draft, m.intent, m.created_at) for m in messages
    ]
    return SessionView(
        session_id=chat.id,
        mode=chat.mode or "bot",
        handoff=bool(chat.handoff),
        user_id=chat.user_id,
        intent=intent,
        confidence=float(confidence) if confidence is not None else None,
        slots=slots,
        customer=customer,
        cart=cart_items(session, chat.id),
        transcript=transcript,
    )


def send_agent_message(
    session: Session, session_id: str, text: str, *, draft: str | None = None, agent: str = "agent"
) -> Message:
    """Store what the agent sent beside the assistant's draft; it shows in the shopper's chat."""
    text = (text or "").strip()
    if not text:
        raise UserError("the message is empty: write a reply (or keep the draft) before sending")
    if len(text) > MAX_AGENT_MESSAGE_CHARS:
        raise UserError(
            f"the message is {len(text)} characters; keep it under {MAX_AGENT_MESSAGE_CHARS}"
        )
    chat = get_chat_session(session, session_id)
    message = Message(
        session_id=chat.id,
        role="agent",
        text=text,
        draft=draft,
        plan={"agent": agent, "edited": draft is not None and draft.strip() != text},
    )
    session.add(message)
    session.flush()
    logger.info("agent %s sent message %s in session %s", agent, message.id, chat.id)
    return message


def take_over(session: Session, session_id: str, *, agent: str = "agent") -> ChatSession:
    """The agent answers from now on; the bot stays silent in this session."""
    chat = get_chat_session(session, session_id)
    chat.mode = "agent"
    state = dict(chat.state or {})
    state["agent"] = agent
    chat.state = state
    session.flush()
    return chat


def hand_back(session: Session, session_id: str) -> ChatSession:
    """Give the session back to the bot and clear the hand-off flag."""
    chat = get_chat_session(session, session_id)
    chat.mode = "bot"
    chat.handoff = False
    state = dict(chat.state or {})
    state.pop("agent", None)
    chat.state = state
    session.flush()
    return chat
