"""Conversations as the feedback exports see them: each reply with its final text and verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.feedback.records import feedback_for
from assistant.store.models import ChatSession, Message


@dataclass(frozen=True)
class Turn:
    """One message of a conversation.

    ``role`` is ``user`` or ``assistant`` (an agent's message is an assistant turn).
    ``text`` is the final text: what an agent sent instead of the draft, or a reply correction.
    ``original`` is what the bot produced (its reply, or the agent's draft) when that differs.
    ``intent`` is the label of a user turn: an agent's corrected label wins over the model's.
    """

    message_id: int
    role: str
    text: str
    original: str | None = None
    intent: str | None = None
    predicted_intent: str | None = None
    corrected: bool = False
    rating: str | None = None
    products: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def edited(self) -> bool:
        return self.original is not None and self.original.strip() != self.text.strip()


@dataclass(frozen=True)
class Conversation:
    session_id: str
    model_version: str | None
    turns: tuple[Turn, ...]


def load_conversations(session: Session) -> list[Conversation]:
    """Every conversation with at least one message, in session creation order."""
    sessions = session.scalars(select(ChatSession).order_by(ChatSession.created_at, ChatSession.id))
    out = []
    for chat in sessions:
        messages = list(
            session.scalars(
                select(Message).where(Message.session_id == chat.id).order_by(Message.id)
            )
        )
        if messages:
            out.append(_conversation(session, chat, messages))
    return out


def _conversation(session: Session, chat: ChatSession, messages: list[Message]) -> Conversation:
    feedback = feedback_for(session, [m.id for m in messages])
    turns: list[Turn] = []
    last_user: int | None = None
    for m in messages:
        if m.role == "user":
            turns.append(Turn(m.id, "user", m.text, intent=m.intent, predicted_intent=m.intent))
            last_user = len(turns) - 1
            continue
        if m.role not in ("assistant", "agent"):
            continue
        rows = feedback.get(m.id, [])
        rating = next((f.rating for f in reversed(rows) if f.rating), None)
        correction = next((f.correction for f in reversed(rows) if f.correction), None)
        corrected_intent = next(
            (f.corrected_intent for f in reversed(rows) if f.corrected_intent), None
        )
        original = m.draft if m.role == "agent" else None
        text = m.text
        if correction is not None:
            original, text = (original or m.text), correction
        turns.append(
            Turn(
                m.id,
                "assistant",
                text,
                original=original,
                rating=rating,
                products=tuple(m.products or ()),
            )
        )
        if last_user is not None and turns[last_user].intent is None and m.intent:
            # the service stores the understood intent on the reply, not on the user message
            user = turns[last_user]
            turns[last_user] = Turn(
                user.message_id, "user", user.text, intent=m.intent, predicted_intent=m.intent
            )
        if corrected_intent is not None and last_user is not None:
            user = turns[last_user]
            turns[last_user] = Turn(
                user.message_id,
                "user",
                user.text,
                intent=corrected_intent,
                predicted_intent=user.predicted_intent or m.intent,
                corrected=True,
            )
    return Conversation(chat.id, chat.model_version, tuple(turns))


def as_chat(turns: tuple[Turn, ...] | list[Turn]) -> list[dict[str, str]]:
    """Turns in the chat-messages format (``role``/``content``) TRL reads."""
    return [{"role": t.role, "content": t.text} for t in turns]
