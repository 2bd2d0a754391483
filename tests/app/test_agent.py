"""Agent queue, session view and actions, built on DB state made with the ORM."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from assistant.staff import agent
from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Customer, InteractionEvent, Message


@pytest.fixture()
def sessions(store):
    with session_scope() as s:
        s.add(Customer(id="c1", email="ann@example.com", first_name="Ann", last_name="Lee"))
        s.add_all(
            [
                ChatSession(id="old-handoff", handoff=True, state={}),
                ChatSession(
                    id="recent-bot", state={"slots": {"product": "shoe"}, "customer_id": "c1"}
                ),
                ChatSession(id="closed", mode="closed", state={}),
                ChatSession(id="empty", state={}),  # no messages: not live
            ]
        )
        s.flush()
        s.add(Message(session_id="old-handoff", role="user", text="I want a human"))
        s.add(Message(session_id="closed", role="user", text="bye"))
        s.add(
            Message(
                session_id="recent-bot",
                role="user",
                text="trail shoes",
                intent="search_products",
                confidence=0.8,
            )
        )
        s.add(
            Message(
                session_id="recent-bot",
                role="assistant",
                text="Here you go",
                intent="search_products",
            )
        )
        s.add(InteractionEvent(session_id="recent-bot", product_id="p1", kind="add_to_cart"))
        s.add(InteractionEvent(session_id="recent-bot", product_id="p1", kind="add_to_cart"))
        s.add(InteractionEvent(session_id="recent-bot", product_id="p2", kind="not_for_me"))


def test_queue_handoff_first_then_recent(sessions):
    with session_scope() as s:
        items = agent.list_queue(s)
    assert [i.session_id for i in items] == ["old-handoff", "recent-bot"]
    assert items[0].handoff and items[0].messages == 1 and items[0].last_text == "I want a human"
    assert items[1].customer_id == "c1" and items[1].messages == 2
    with session_scope() as s:
        assert "closed" in [i.session_id for i in agent.list_queue(s, include_closed=True)]


def test_session_view_state(sessions):
    with session_scope() as s:
        view = agent.session_view(s, "recent-bot")
    assert view.intent == "search_products" and view.confidence == pytest.approx(0.8)
    assert view.slots == {"product": "shoe"}
    assert view.customer == {"id": "c1", "name": "Ann Lee", "email": "ann@example.com"}
    assert view.cart == [{"id": "p1", "title": "Trail Runner Shoe", "price": 89.0, "quantity": 2}]
    assert [line.role for line in view.transcript] == ["user", "assistant"]
    with session_scope() as s, pytest.raises(UserError, match="not found"):
        agent.session_view(s, "nope")


def test_send_stores_draft_and_text(sessions):
    with session_scope() as s:
        msg = agent.send_agent_message(
            s, "recent-bot", "  Sure, size 42 is in stock. ", draft="Yes.", agent="bob"
        )
        mid = msg.id
    with session_scope() as s:
        row = s.get(Message, mid)
        assert (row.role, row.text, row.draft) == ("agent", "Sure, size 42 is in stock.", "Yes.")
        assert row.plan == {"agent": "bob", "edited": True}
    with session_scope() as s, pytest.raises(UserError, match="empty"):
        agent.send_agent_message(s, "recent-bot", "   ")


def test_take_over_and_hand_back(sessions):
    with session_scope() as s:
        agent.take_over(s, "old-handoff", agent="bob")
    with session_scope() as s:
        chat = s.get(ChatSession, "old-handoff")
        assert chat.mode == "agent" and chat.state["agent"] == "bob"
        agent.hand_back(s, "old-handoff")
    with session_scope() as s:
        chat = s.get(ChatSession, "old-handoff")
        assert (chat.mode, chat.handoff, chat.state) == ("bot", False, {})
