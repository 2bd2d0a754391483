"""A listed write happens only on an unambiguous yes.

The replies come from ``data/eval/confirmations.tsv``: 211 answers to "Shall I cancel order …?"
written apart from the code from how shoppers reply, each labelled yes (write) or no (must
not write: refusals, hesitation, agreeable starts that turn, questions, conditions, changes of
detail, sarcasm, bare emoji). Every reply is sent through the real assistant to a conversation
holding the same listed cancellation, and the order row is read back from the database.
"""

from __future__ import annotations

import copy
import csv
import uuid

import pytest
from sqlalchemy import select

from assistant.dialogue.confirm import about_confirmation, read_reply
from assistant.settings import DATA_DIR
from assistant.store.db import session_factory, session_scope
from assistant.store.models import ChatSession, Customer, Order

ROWS = list(csv.DictReader(open(DATA_DIR / "eval" / "confirmations.tsv", encoding="utf-8"), delimiter="\t"))


def test_the_table_is_the_one_written_for_it():
    labels = [r["label"] for r in ROWS]
    assert len(ROWS) >= 200 and set(labels) == {"yes", "no"}
    assert labels.count("yes") >= 60 and labels.count("no") >= 120


@pytest.mark.parametrize("row", ROWS, ids=[r["reply"][:40] for r in ROWS])
def test_reader_against_the_table(row):
    assert (read_reply(row["reply"]) == "yes") == (row["label"] == "yes"), row["note"]


@pytest.mark.parametrize("text", [
    "ok wait, don't cancel it", "yes but refund it to my gift card instead", "hmm", "yes?", "👍", "no, wait, yes",
])
def test_unclear_replies_are_about_the_change(text):
    assert read_reply(text) != "yes" and about_confirmation(text)


def test_a_new_request_is_not_read_as_an_answer():
    assert not about_confirmation("can you show me some hiking boots for my son, size 5")


@pytest.fixture(scope="module")
def listed_cancellation(assistant):
    """A conversation whose last turn listed a cancellation: its saved state and the order rows."""
    with session_factory(assistant.engine)() as db:
        order = db.scalars(select(Order).where(Order.status == "pending").order_by(Order.id.desc())).first()
        customer = db.get(Customer, order.customer_id)
    s = uuid.uuid4().hex
    assistant.turn(f"I want to cancel order {order.id}", s)
    assistant.turn(f"my email is {customer.email}", s)
    r = assistant.turn("I ordered it by mistake", s)
    assert r.action == "confirm" and order.id in r.reply
    with session_factory(assistant.engine)() as fresh:
        state = copy.deepcopy(fresh.get(ChatSession, s).state)
    assert state["pending"]["kind"] == "cancel"
    return state, order.id, customer.id


def _conversation_at(assistant, state) -> str:
    """A new conversation whose saved state is ``state`` (the listed change waiting for a reply)."""
    s = uuid.uuid4().hex
    with session_scope(assistant.engine) as db:
        db.add(ChatSession(id=s, state=copy.deepcopy(state), mode="bot", handoff=False))
    return s


def _rows(assistant, order_id, customer_id):
    with session_factory(assistant.engine)() as s:
        o, c = s.get(Order, order_id), s.get(Customer, customer_id)
        return {"status": o.status, "payments": copy.deepcopy(o.payment_history), "extra": copy.deepcopy(o.extra),
                "methods": copy.deepcopy(c.payment_methods)}


def _restore(assistant, order_id, customer_id, rows):
    with session_scope(assistant.engine) as s:
        o, c = s.get(Order, order_id), s.get(Customer, customer_id)
        o.status, o.payment_history, o.extra = rows["status"], rows["payments"], rows["extra"]
        c.payment_methods = rows["methods"]


def test_every_reply_through_the_assistant_writes_only_on_yes(assistant, listed_cancellation):
    state, order_id, customer_id = listed_cancellation
    before = _rows(assistant, order_id, customer_id)
    wrong = []
    for row in ROWS:
        s = _conversation_at(assistant, state)
        result = assistant.turn(row["reply"], s)
        after = _rows(assistant, order_id, customer_id)
        written = after != before
        if written:
            assert after["status"] == "cancelled" and len(after["payments"]) > len(before["payments"])
            _restore(assistant, order_id, customer_id, before)
        if written != (row["label"] == "yes"):
            wrong.append((row["reply"], row["label"], result.action))
    assert not wrong, wrong


def test_an_unclear_reply_asks_again_and_keeps_the_change(assistant, listed_cancellation):
    state, order_id, customer_id = listed_cancellation
    s = _conversation_at(assistant, state)
    before = _rows(assistant, order_id, customer_id)
    r1 = assistant.turn("ok wait, is it refunded to my card?", s)
    assert r1.action == "confirm" and "haven't changed anything" in r1.reply and order_id in r1.reply
    assert _rows(assistant, order_id, customer_id) == before
    r2 = assistant.turn("yes please go ahead", s)
    assert r2.action == "service_tool" and _rows(assistant, order_id, customer_id)["status"] == "cancelled"
    _restore(assistant, order_id, customer_id, before)


def test_a_clean_no_clears_the_change(assistant, listed_cancellation):
    state, order_id, customer_id = listed_cancellation
    s = _conversation_at(assistant, state)
    before = _rows(assistant, order_id, customer_id)
    r1 = assistant.turn("no thanks, I'll keep it", s)
    assert "Nothing was changed" in r1.reply
    r2 = assistant.turn("yes", s)  # the listed change is gone: a later yes writes nothing
    assert r2.action != "service_tool" and _rows(assistant, order_id, customer_id) == before

