"""Shopper verification under ``AISLE_VERIFY=code`` (the default), end to end through the real
``Assistant`` and dialogue model on the demo store: a one-time code goes to the account's email
(a ``MemorySender`` here) and must be typed back before any order or account data; limits per
conversation and per client address; the same reply whether or not an account exists; the code
never appears in a reply or in anything stored. ``identity`` mode's limits are at the end."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from assistant.store.models import ChatSession, Customer, Message, Order
from assistant.verify import Verifier
from assistant.verify import verifier as verifier_module

SENT = "If an account matches those details, a 6-digit code has been sent"


def sid() -> str:
    return uuid.uuid4().hex


@pytest.fixture()
def strict(bot, sender, monkeypatch):
    """``strict(**settings)``: the bot with other verification limits for this test."""

    def make(**update):
        monkeypatch.setattr(
            bot, "verifier", Verifier(bot.settings.model_copy(update=update), sender)
        )
        return bot

    return make


def customer_with(db, status: str, exclude=()) -> tuple[Customer, Order]:
    for order in db.scalars(select(Order).where(Order.status == status).order_by(Order.id)):
        if order.customer_id not in exclude:
            return db.get(Customer, order.customer_id), order
    raise AssertionError(f"demo store has no {status} order")


def state_of(bot, session_id: str) -> dict:
    from assistant.store.db import session_factory

    with session_factory(bot.engine)() as s:
        return dict(s.get(ChatSession, session_id).state)


def stored(bot, session_id: str) -> str:
    """Everything kept of a conversation: its messages (text, slots, plan) and state, as text."""
    from assistant.store.db import session_factory

    with session_factory(bot.engine)() as s:
        rows = s.scalars(select(Message).where(Message.session_id == session_id)).all()
        kept = [[m.text, m.slots, m.plan, m.draft] for m in rows]
        return json.dumps([kept, s.get(ChatSession, session_id).state])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_order_data_only_after_the_code_is_typed_back(bot, sender, db):
    customer, order = customer_with(db, "delivered")
    s = sid()
    r1 = bot.turn(
        f"where is my order {order.id}? my email is {customer.email}", s, client="10.1.0.1"
    )
    assert SENT in r1.reply and "check your email" in r1.reply and r1.action == "ask_auth"
    assert order.status not in r1.reply.lower() and order.items[0]["name"] not in r1.reply
    code = sender.last_code(customer.email)
    assert code and code not in r1.reply
    assert state_of(bot, s)["customer_id"] is None

    r2 = bot.turn(
        "ok so where is my order?", s, client="10.1.0.1"
    )  # no code yet: still nothing shown (an order question the model reads as such, whatever its training)
    assert order.items[0]["name"] not in r2.reply and "code" in r2.reply

    r3 = bot.turn(f"my code is {code[:3]} {code[3:]}", s, client="10.1.0.1")
    assert f"Thanks, {customer.first_name}, you're verified." in r3.reply
    assert order.id in r3.reply and order.status in r3.reply
    assert state_of(bot, s)["customer_id"] == customer.id
    for r in (r1, r2, r3):
        assert code not in r.reply and code not in json.dumps(r.slots)
    assert code not in stored(bot, s) and f"{code[:3]} {code[3:]}" not in stored(bot, s)


def test_no_write_until_verified_then_the_usual_yes(bot, sender, db):
    customer, order = customer_with(db, "pending")
    s = sid()
    r1 = bot.turn(
        f"please cancel order {order.id}, I ordered it by mistake. email {customer.email}", s
    )
    assert SENT in r1.reply and order.id not in r1.reply
    assert (
        bot.turn("yes, cancel it", s).action == "ask_auth"
    )  # a yes before the code writes nothing
    db.expire_all()
    assert db.get(Order, order.id).status == "pending" and state_of(bot, s)["pending"] is None
    r3 = bot.turn(sender.last_code(customer.email), s)
    assert "verified" in r3.reply and r3.action == "confirm" and order.id in r3.reply
    db.expire_all()
    assert db.get(Order, order.id).status == "pending"  # listed, not done
    bot.turn("yes", s)
    db.expire_all()
    assert db.get(Order, order.id).status == "cancelled"


def test_same_reply_whether_or_not_an_account_exists(bot, sender, db):
    customer, _ = customer_with(db, "delivered")
    known, unknown = sid(), sid()
    before = len(sender.sent)
    r_known = bot.turn(f"I want to track my order, my email is {customer.email}", known)
    r_unknown = bot.turn(
        "I want to track my order, my email is nobody.here.4821@example.com", unknown
    )
    assert r_known.reply == r_unknown.reply and r_known.action == r_unknown.action
    assert [e for e, _ in sender.sent[before:]] == [
        customer.email
    ]  # only the real account gets mail
    # name + zip: the same reply again
    r_name = bot.turn(
        f"track my order please. my name is {customer.first_name} {customer.last_name}, zip {customer.address['zip']}",
        sid(),
    )
    r_no_name = bot.turn("track my order please. my name is Zed Nobodyson, zip 99999", sid())
    assert r_name.reply == r_no_name.reply == r_known.reply
    # a code typed for the unknown account is answered like a wrong code for the known one
    code = sender.last_code(customer.email)
    w_known = bot.turn(wrong(code), known)
    w_unknown = bot.turn(code, unknown)
    assert w_known.reply == w_unknown.reply and "isn't right" in w_known.reply
    assert state_of(bot, unknown)["customer_id"] is None


def test_wrong_codes_void_the_code_then_a_new_one_works(bot, sender, db):
    customer, order = customer_with(db, "delivered")
    s = sid()
    bot.turn(f"where's my order? {customer.email}", s)
    code = sender.last_code(customer.email)
    replies = [bot.turn(f"code {wrong(code)}", s).reply for _ in range(5)]
    assert "4 more times" in replies[0] and "no longer works" in replies[-1]
    late = bot.turn(code, s)  # the right code, after it went void
    assert "verified" not in late.reply and state_of(bot, s)["customer_id"] is None
    again = bot.turn("can you send me a new code", s)
    assert SENT in again.reply
    fresh = sender.last_code(customer.email)
    assert fresh is not None and fresh not in again.reply
    assert "verified" in bot.turn(fresh, s).reply
    assert state_of(bot, s)["customer_id"] == customer.id


def test_codes_per_conversation_are_limited(strict, sender, db):
    bot = strict(verify_codes_per_conversation=2)
    customer, _ = customer_with(db, "delivered")
    s = sid()
    assert SENT in bot.turn(f"track my order, my email is {customer.email}", s).reply
    assert SENT in bot.turn("i didn't get the code", s).reply
    third = bot.turn("resend the code", s)
    assert "can't send more codes" in third.reply and "talk to a person" in third.reply


def test_a_code_expires(bot, sender, db, monkeypatch):
    customer, _ = customer_with(db, "delivered")
    s = sid()
    bot.turn(f"where is my order, email {customer.email}", s)
    code = sender.last_code(customer.email)
    now = verifier_module.time.time()

    class Later:
        @staticmethod
        def time():
            return now + bot.settings.verify_code_ttl_s + 1

    monkeypatch.setattr(verifier_module, "time", Later)
    r = bot.turn(code, s)
    assert "expired" in r.reply and state_of(bot, s)["customer_id"] is None


def test_a_client_address_backs_off_across_conversations(strict, sender, db):
    bot = strict(verify_free_failures=3, verify_backoff_s=60)
    customer, _ = customer_with(db, "delivered")
    attacker, other = "203.0.113.7", "198.51.100.2"
    s = sid()
    bot.turn(
        f"track my order, my email is {customer.email}", s, client=attacker
    )  # failure 1 (a code asked for)
    code = sender.last_code(customer.email)
    bot.turn(wrong(code), s, client=attacker)  # 2
    bot.turn(wrong(code), s, client=attacker)  # 3
    bot.turn(wrong(code), s, client=attacker)  # 4: back-off starts
    locked = bot.turn(code, s, client=attacker)  # even the right code is not checked now
    assert (
        "too many verification attempts" in locked.reply and state_of(bot, s)["customer_id"] is None
    )
    # a new conversation from the same address is held back too, before any look-up
    before = len(sender.sent)
    fresh = bot.turn(f"track my order, my email is {customer.email}", sid(), client=attacker)
    assert "too many verification attempts" in fresh.reply and len(sender.sent) == before
    # another address is not
    s2 = sid()
    assert SENT in bot.turn(f"track my order, my email is {customer.email}", s2, client=other).reply
    assert "verified" in bot.turn(sender.last_code(customer.email), s2, client=other).reply


def test_profile_shows_only_what_the_task_needs(bot, sender, db):
    customer = next(
        c
        for c in db.scalars(select(Customer).order_by(Customer.id))
        if any(m.get("source") == "credit_card" for m in (c.payment_methods or {}).values())
    )
    s = sid()
    bot.turn(f"what payment methods do I have on my account? my email is {customer.email}", s)
    r = bot.turn(sender.last_code(customer.email), s)
    assert "verified" in r.reply
    if "Payment methods" not in r.reply:
        r = bot.turn("show my account details", s)
    assert "Payment methods" in r.reply
    card = next(m for m in customer.payment_methods.values() if m.get("source") == "credit_card")
    assert f"ending {card['last_four']}" in r.reply
    assert customer.address["address1"] not in r.reply and customer.address["zip"] not in r.reply
    assert customer.address["city"] in r.reply and customer.email not in r.reply


def test_hostile_input_while_a_code_is_awaited(bot, sender, db):
    customer, _ = customer_with(db, "delivered")
    s = sid()
    bot.turn(f"where is my order? {customer.email}", s)
    for text in (
        "1" * 100_000,
        "123456789012",
        "0" * 6 + " " + "9" * 6,
        "code: " + "12 34 56 " * 500,
        "\x00123456\x00",
        "١٢٣٤٥٦",
        "send a new code " * 2000,
    ):
        r = bot.turn(text, s)
        assert r.reply and state_of(bot, s)["customer_id"] is None


def test_a_drafted_reply_sends_no_code(bot, sender, db):
    customer, _ = customer_with(db, "delivered")
    s = sid()
    bot.turn("I want to check on an order", s)
    bot.turn(f"my email is {customer.email}", s)
    before = len(sender.sent)
    draft = bot.draft_reply(s)
    assert len(sender.sent) == before and sender.last_code(customer.email) not in draft.reply


# ------------------------------------------------------------------ AISLE_VERIFY=identity
def test_identity_mode_limits_failed_lookups_per_conversation(assistant, db):
    """The `assistant` fixture runs with identity (the email or name + zip alone verifies):
    nine wrong zips and then the right one no longer verify."""
    customer, _ = customer_with(db, "delivered")
    s = sid()
    assistant.turn("where is my order?", s)
    name = f"{customer.first_name} {customer.last_name}"
    replies = [
        assistant.turn(f"my name is {name} and my zip is {z:05d}", s).reply
        for z in range(10001, 10010)
    ]
    assert "couldn't find" in replies[0] and "too many tries" in replies[-1]
    right = assistant.turn(f"my name is {name} and my zip is {customer.address['zip']}", s)
    assert "verified" not in right.reply and state_of(assistant, s)["customer_id"] is None
