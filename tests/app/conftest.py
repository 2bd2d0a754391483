"""Fixtures for the app tests.

``ScriptedAssistant`` is a small test double of ``assistant.service.Assistant`` for the
handler tests: it keeps the contract (persists the shopper message and the reply, returns
a ``TurnResult``, records events) with a keyword match over a handful of products, so the
UI logic is tested without the models. The live-server and browser tests use the real
assistant (see ``test_live.py`` / ``test_browser.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from assistant.store.db import session_scope
from assistant.store.models import ChatSession, InteractionEvent, Message, Product
from assistant.types import TurnResult

PRODUCTS = [
    dict(id="p1", title="Trail Runner Shoe", category="shoes", brand="Acme", price=89.0, available=True,
         attributes={"color": "blue", "size": "42"}, image_url="https://example.com/p1.jpg",
         description="Light <b>trail</b> shoe"),
    dict(id="p2", title="Road Runner Shoe", category="shoes", brand="Zoom", price=120.0, available=False,
         attributes={"color": "red"}, description="Fast"),
    dict(id="p3", title="Rain Jacket <script>alert(1)</script>", category="jackets", brand="Acme",
         price=60.0, available=True, attributes={}, description="Dry"),
]


class ScriptedAssistant:
    """Answers ``shoe``/``jacket`` searches from the products table; everything else gets a canned reply."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.events: list[tuple[str, str, str]] = []

    def warm_up(self) -> None:
        pass

    def turn(self, message: str, session_id: str | None = None, user_id: str | None = None,
             diversity: float | None = None) -> TurnResult:
        self.calls.append({"message": message, "session_id": session_id, "user_id": user_id,
                           "diversity": diversity})
        with session_scope() as s:
            chat = s.get(ChatSession, session_id) if session_id else None
            if chat is None:
                chat = ChatSession(id=session_id or uuid.uuid4().hex, user_id=user_id, state={})
                s.add(chat)
                s.flush()
            if chat.mode != "bot":  # the contract: an agent has the session, the bot stays silent
                user = Message(session_id=chat.id, role="user", text=message)
                s.add(user)
                s.flush()
                return TurnResult(session_id=chat.id, message_id=user.id, reply="A person will answer.",
                                  intent="out_of_scope", confidence=0.0, action="waiting_for_agent")
            word = "shoe" if "shoe" in message.lower() else "jacket" if "jacket" in message.lower() else None
            intent = "search_products" if word else "greeting"
            products = []
            if word:
                for p in s.query(Product).filter(Product.title.ilike(f"%{word}%")).order_by(Product.id):
                    products.append({"id": p.id, "title": p.title, "category": p.category, "brand": p.brand,
                                     "price": p.price, "available": p.available, "score": 1.0,
                                     "reason": f"matches {word}", "image_url": p.image_url})
            reply = f"Here are {len(products)} {word}s for you." if word else f"You said: {message}"
            s.add(Message(session_id=chat.id, role="user", text=message, intent=intent, confidence=0.9))
            bot = Message(session_id=chat.id, role="assistant", text=reply, intent=intent, confidence=0.9,
                          plan={"action": "search" if word else "clarify"}, products=products, latency_ms=12.0)
            s.add(bot)
            s.flush()
            chat.state = {**(chat.state or {}), "slots": {"product": word} if word else {}}
            return TurnResult(session_id=chat.id, message_id=bot.id, reply=reply, intent=intent,
                              confidence=0.9, slots={"product": word} if word else {},
                              action="search" if word else "clarify", products=products)

    def draft_reply(self, session_id: str) -> TurnResult:
        with session_scope() as s:
            last = (s.query(Message).filter_by(session_id=session_id, role="user")
                    .order_by(Message.id.desc()).first())
            text = f"Draft answer to: {last.text if last else ''}"
        return TurnResult(session_id=session_id, message_id=0, reply=text, intent="greeting",
                          confidence=0.5, products=[{"id": "p1", "title": "Trail Runner Shoe",
                                                     "price": 89.0, "available": True,
                                                     "reason": "liked before"}])

    def record_event(self, session_id: str, product_id: str, kind: str) -> None:
        self.events.append((session_id, product_id, kind))
        with session_scope() as s:
            s.add(InteractionEvent(session_id=session_id, product_id=product_id, kind=kind))


@pytest.fixture()
def store(engine):
    """A fresh database with three products."""
    with session_scope(engine) as s:
        for p in PRODUCTS:
            s.add(Product(**p))
    return engine


@pytest.fixture()
def scripted(store):
    """The scripted assistant installed as the app's assistant."""
    from assistant.ui import chat

    fake = ScriptedAssistant()
    chat.set_assistant(fake)
    yield fake
    chat.set_assistant(None)
