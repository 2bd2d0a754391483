"""Verified status ends after ``AISLE_VERIFIED_IDLE_MINUTES`` (15) without a message from the
verified shopper: the next order or account question asks to verify again, and a change
listed before the pause is not written by a later yes. The assistant's clock is moved by the
test (no sleeps); the order rows are read back from the database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from assistant.store.models import ChatSession, Customer, Order


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture()
def clock(bot, monkeypatch):
    moved = Clock()
    monkeypatch.setattr(bot, "clock", moved)
    return moved


def customer_with(db, status: str) -> tuple[Customer, Order]:
    order = db.scalars(select(Order).where(Order.status == status).order_by(Order.id)).first()
    assert order is not None, f"demo store has no {status} order"
    return db.get(Customer, order.customer_id), order


def state_of(bot, session_id: str) -> dict:
    from assistant.store.db import session_factory

    with session_factory(bot.engine)() as s:
        return dict(s.get(ChatSession, session_id).state)


def verified(bot, sender, customer: Customer, order: Order, first: str) -> str:
    s = uuid.uuid4().hex
    bot.turn(first.format(order=order.id, email=customer.email), s)
    r = bot.turn(sender.last_code(customer.email), s)
    assert "you're verified" in r.reply
    assert state_of(bot, s)["customer_id"] == customer.id
    return s


def test_verification_lasts_while_the_shopper_writes_and_ends_when_idle(bot, sender, db, clock):
    assert bot.settings.verified_idle_minutes == 15
    customer, order = customer_with(db, "delivered")
    s = verified(bot, sender, customer, order, "where is my order {order}? my email is {email}")
    # idle time is counted from the latest message, not from the code
    for _ in range(3):
        clock.advance(14)
        r = bot.turn(f"what is the status of order {order.id}?", s)
        assert order.status in r.reply and state_of(bot, s)["customer_id"] == customer.id
    clock.advance(16)
    r = bot.turn(f"what is the status of order {order.id}?", s)
    assert r.action == "ask_auth" and "verification ended" in r.reply
    assert order.status not in r.reply.lower() and order.items[0]["name"] not in r.reply
    state = state_of(bot, s)
    assert state["customer_id"] is None and "seen" not in state["verify"]
    # the shopper verifies again with a new code and is back
    r = bot.turn(f"my email is {customer.email}", s)
    assert "6-digit code" in r.reply
    r = bot.turn(sender.last_code(customer.email), s)
    assert "you're verified" in r.reply and state_of(bot, s)["customer_id"] == customer.id


def test_a_listed_change_is_not_written_after_the_pause(bot, sender, db, clock):
    customer, order = customer_with(db, "pending")
    s = verified(bot, sender, customer, order, "please cancel order {order}, I ordered it by mistake. email {email}")
    assert state_of(bot, s)["pending"] is not None  # the cancellation is listed, waiting for a yes
    clock.advance(bot.settings.verified_idle_minutes + 1)
    r = bot.turn("yes", s)
    db.expire_all()
    assert db.get(Order, order.id).status == "pending"
    state = state_of(bot, s)
    assert state["customer_id"] is None and state["pending"] is None
    assert "Done" not in r.reply


def test_the_idle_time_is_a_setting(bot, sender, db, clock, monkeypatch):
    monkeypatch.setattr(bot, "settings", bot.settings.model_copy(update={"verified_idle_minutes": 2}))
    customer, order = customer_with(db, "delivered")
    s = verified(bot, sender, customer, order, "where is my order {order}? my email is {email}")
    clock.advance(3)
    r = bot.turn(f"what is the status of order {order.id}?", s)
    assert r.action == "ask_auth" and state_of(bot, s)["customer_id"] is None
