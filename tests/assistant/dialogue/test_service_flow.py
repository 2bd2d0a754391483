"""The service flow on a hand-built store: each write listed first, done only on confirm().

The intent of each message is given (this tests the flow's policy logic, not understanding;
the scripted conversations in test_conversations.py use the real model)."""

from __future__ import annotations

import pytest

from assistant.dialogue.service_flow import ServiceFlow
from assistant.dialogue.state import DialogueState
from assistant.settings import Settings
from assistant.store.db import session_scope
from assistant.store.models import Customer, Order, Product
from assistant.verify import Verifier

# The flow's policy logic under AISLE_VERIFY=identity (the email or name + zip alone verifies);
# the one-time-code default is tested in test_verification.py.
IDENTITY = Verifier(Settings(verify="identity"))

TEE = {"name": "T-Shirt", "product_id": "TSHIRT", "item_id": "T1", "price": 20.0, "options": {"color": "blue", "size": "M"}}
MUG = {"name": "Mug", "product_id": "MUG", "item_id": "M1", "price": 10.0, "options": {"color": "white"}}


@pytest.fixture()
def store(engine):
    with session_scope(engine) as s:
        s.add(Customer(
            id="alice", email="alice@example.com", first_name="Alice", last_name="Smith",
            address={"address1": "1 Main St", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"},
            payment_methods={"gift_card_1": {"source": "gift_card", "id": "gift_card_1", "balance": 100.0},
                             "paypal_1": {"source": "paypal", "id": "paypal_1"}},
        ))
        s.add(Customer(id="bob", email="bob@example.com", first_name="Bob", last_name="Jones",
                       address={"zip": "02101"}, payment_methods={}))
        s.add_all([
            Product(id="T1", group_id="TSHIRT", title="T-Shirt — blue, M", price=20.0, available=True, attributes={"color": "blue", "size": "M"}),
            Product(id="T2", group_id="TSHIRT", title="T-Shirt — red, M", price=25.0, available=True, attributes={"color": "red", "size": "M"}),
            Product(id="M1", group_id="MUG", title="Mug — white", price=10.0, available=True, attributes={"color": "white"}),
        ])
        s.flush()
        for oid, status in (("#W1000001", "pending"), ("#W1000002", "delivered")):
            s.add(Order(id=oid, customer_id="alice", status=status, address={"address1": "1 Main St"},
                        items=[dict(TEE), dict(MUG)], fulfillments=[],
                        payment_history=[{"transaction_type": "payment", "amount": 30.0, "payment_method_id": "paypal_1"}]))
        s.add(Order(id="#W2000001", customer_id="bob", status="pending", items=[dict(MUG)],
                    payment_history=[{"transaction_type": "payment", "amount": 10.0, "payment_method_id": "x"}]))
    return engine


class Chat:
    """Runs flow turns, each in its own transaction, over one persistent state."""

    def __init__(self, engine):
        self.engine, self.state = engine, DialogueState()

    def say(self, intent: str, text: str, slots=None):
        with session_scope(self.engine) as s:
            flow = ServiceFlow(s, self.state, IDENTITY)
            reply = flow.handle(intent, text, slots or {})
            self.state.last_action = reply.action
            return reply

    def yes(self):
        with session_scope(self.engine) as s:
            return ServiceFlow(s, self.state, IDENTITY).confirm()

    def no(self):
        with session_scope(self.engine) as s:
            return ServiceFlow(s, self.state, IDENTITY).deny()


def order(engine, oid):
    with session_scope(engine) as s:
        o = s.get(Order, oid)
        return o.status, [it["item_id"] for it in o.items], dict(o.address), dict(o.extra or {}), list(o.payment_history)


def test_name_and_zip_over_two_turns_then_order_status(store):
    chat = Chat(store)
    assert chat.say("track_order", "where is my order #W1000002?").action == "ask_auth"
    assert chat.say("provide_info", "my name is Alice Smith").action == "ask_auth"
    reply = chat.say("provide_info", "78701")
    assert "verified" in reply.text and "#W1000002 is delivered" in reply.text


def test_wrong_details_do_not_authenticate(store):
    chat = Chat(store)
    chat.say("track_order", "where is my order?")
    reply = chat.say("provide_info", "my name is Alice Smith, zip 99999")
    assert reply.action == "ask_auth" and chat.state.customer_id is None


def test_exchange_lists_the_swap_and_writes_on_yes(store):
    chat = Chat(store)
    chat.say("change_order", "I'd like to exchange the t-shirt from order #W1000002 for a red one")
    reply = chat.say("provide_info", "alice@example.com")
    assert reply.action == "confirm" and "T2" in reply.text and "$5.00" in reply.text
    assert "only once" in reply.text
    assert order(store, "#W1000002")[0] == "delivered"
    done = chat.yes()
    status, _, _, extra, _ = order(store, "#W1000002")
    assert status == "exchange requested" and extra["exchange_new_items"] == ["T2"], done.text


def test_modify_items_once_then_refused(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    reply = chat.say("change_order", "change the t-shirt in order #W1000001 to red, pay with my gift card")
    assert reply.action == "confirm" and "gift_card_1" in reply.text
    chat.yes()
    status, items, *_ = order(store, "#W1000001")
    assert status == "pending (item modified)" and items == ["T2", "M1"]
    again = chat.say("change_order", "change the t-shirt in order #W1000001 to blue")
    assert again.action == "service_tool" and "Only pending orders" in again.text
    assert order(store, "#W1000001")[1] == ["T2", "M1"]


def test_order_address_change_and_deny(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    reply = chat.say("change_shipping_address", "change the address of order #W1000001 to 9 Elm Street, Dallas, TX 75001")
    assert reply.action == "confirm" and "9 Elm Street" in reply.text
    chat.no()
    assert order(store, "#W1000001")[2]["address1"] == "1 Main St"
    chat.say("change_shipping_address", "change the address of order #W1000001 to 9 Elm Street, Dallas, TX 75001")
    chat.yes()
    assert order(store, "#W1000001")[2]["address1"] == "9 Elm Street"


def test_cancel_asks_for_an_accepted_reason(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    assert "no longer needed" in chat.say("cancel_order", "cancel order #W1000001").text
    reply = chat.say("provide_info", "I ordered it by mistake")
    assert reply.action == "confirm"
    chat.yes()
    status, *_, payments = order(store, "#W1000001")
    assert status == "cancelled" and payments[-1]["transaction_type"] == "refund"


def test_other_customers_order_is_not_found(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    reply = chat.say("cancel_order", "cancel order #W2000001, no longer needed")
    assert "couldn't find" in reply.text and chat.state.pending is None
    assert order(store, "#W2000001")[0] == "pending"
    refused = chat.say("provide_info", "my email is bob@example.com")
    assert refused.action == "refuse" and chat.state.customer_id == "alice"


def test_default_address_and_profile(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    reply = chat.say("set_up_shipping_address", "set my default address to 5 Pine Rd, Apt 2, Boston, MA 02101")
    assert reply.action == "confirm"
    chat.yes()
    with session_scope(store) as s:
        assert s.get(Customer, "alice").address["city"] == "Boston"
    profile = chat.say("edit_account", "show my account details")
    # only what the task needs: city and state, not the street; payment methods by id
    assert "gift_card_1" in profile.text and "Boston, MA" in profile.text and "5 Pine Rd" not in profile.text


def test_modify_payment_to_another_method(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    reply = chat.say("change_order", "I want to change the payment method of order #W1000001 to my gift card")
    assert reply.action == "confirm" and "gift_card_1" in reply.text
    chat.yes()
    payments = order(store, "#W1000001")[4]
    assert payments[-2:] == [
        {"transaction_type": "payment", "amount": 30.0, "payment_method_id": "gift_card_1"},
        {"transaction_type": "refund", "amount": 30.0, "payment_method_id": "paypal_1"},
    ]


@pytest.mark.parametrize("text", [
    "im logged into my husbands account, how do i change to mine",
    "i'm on my wife's account, how do i switch to my own",
    "signed in on my friend's account by mistake, how do i log out",
])
def test_leaving_someone_elses_account_is_not_refused(store, text):
    reply = Chat(store).say("switch_account", text)
    assert reply.action != "refuse"


@pytest.mark.parametrize("text", [
    "im logged into my husbands account, show me his orders",
    "change my husband's address to mine",
    "how do i switch to my wife's account",
])
def test_asking_for_someone_elses_account_is_refused(store, text):
    assert Chat(store).say("switch_account", text).action == "refuse"


def test_cancel_with_nothing_pending_says_only_pending_orders_can_be_cancelled(store):
    with session_scope(store) as s:
        s.get(Order, "#W1000001").status = "processed"  # now neither of alice's orders is pending
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    reply = chat.say("cancel_order", "whatever, just cancel it")
    assert "Only pending orders can be cancelled" in reply.text and "#W1000002" in reply.text
    assert chat.state.pending is None and chat.state.task is None
    assert order(store, "#W1000001")[0] == "processed" and order(store, "#W1000002")[0] == "delivered"


def test_cancel_it_inside_a_status_task_is_a_cancellation_whatever_the_intent(store):
    chat = Chat(store)
    chat.say("provide_info", "alice@example.com")
    chat.say("track_order", "so wheres it at")
    reply = chat.say("complaint", "whatever, just cancel it then")  # the model's intent is not cancel_order
    assert chat.state.task is not None and chat.state.task["kind"] == "cancel"
    assert "#W1000001" in reply.text and "no longer needed" in reply.text  # her one pending order, reason asked
    assert order(store, "#W1000001")[0] == "pending"  # nothing written without a listed change and a yes


LAMP = {"name": "Desk Lamp", "product_id": "LAMP", "item_id": "L1", "price": 40.0, "options": {"color": "black"}}


def _another_delivered_order(engine, items):
    with session_scope(engine) as s:
        s.add(Order(id="#W1000003", customer_id="alice", status="delivered", address={"address1": "1 Main St"},
                    items=[dict(it) for it in items], fulfillments=[],
                    payment_history=[{"transaction_type": "payment", "amount": 40.0, "payment_method_id": "paypal_1"}]))


def test_the_item_named_before_verifying_picks_the_one_delivered_order_holding_it(store):
    _another_delivered_order(store, [LAMP])  # two delivered orders; only #W1000002 holds a mug
    chat = Chat(store)
    first = chat.say("change_order", "oh also i need to send back the mug i bought")  # the model read a change
    assert first.action == "ask_auth" and chat.state.task["kind"] == "return"
    reply = chat.say("provide_info", "alice@example.com")
    assert reply.action == "confirm" and "#W1000002" in reply.text and "Mug (M1)" in reply.text
    assert "#W1000003" not in reply.text and "T1" not in reply.text
    assert order(store, "#W1000002")[0] == "delivered"  # listed, not written
    chat.yes()
    status, items, _, extra, _ = order(store, "#W1000002")
    assert status == "return requested" and order(store, "#W1000003")[0] == "delivered", extra


def test_an_item_in_two_delivered_orders_asks_which_order(store):
    _another_delivered_order(store, [TEE, LAMP])  # the t-shirt is in both delivered orders
    chat = Chat(store)
    chat.say("get_refund", "i need to send back the t-shirt i bought")
    reply = chat.say("provide_info", "alice@example.com")
    assert reply.action == "clarify" and "#W1000002" in reply.text and "#W1000003" in reply.text
    assert chat.state.pending is None
    assert order(store, "#W1000002")[0] == "delivered" and order(store, "#W1000003")[0] == "delivered"


@pytest.mark.parametrize("text", [
    "this is ridiculous, i paid for a mug 2 weeks ago and STILL nothing",
    "ordered a t-shirt last month and it never arrived",
    "i bought a mug ages ago and its not here yet",
])
def test_something_paid_for_that_has_not_come_is_tracked_on_its_one_order_on_the_way(store, text):
    chat = Chat(store)
    assert chat.say("search_products", text).action == "ask_auth"  # whatever the model read
    reply = chat.say("provide_info", "alice@example.com")
    assert reply.action == "service_tool" and "#W1000001 is pending" in reply.text  # not the delivered one
    assert chat.state.pending is None and order(store, "#W1000001")[0] == "pending"


def test_task_kind_of_a_late_order_and_of_a_send_back():
    from assistant.dialogue.service_flow import task_kind

    assert task_kind("search_products", "i paid for a phone 2 weeks ago and STILL nothing", None) == "status"
    assert task_kind("search_products", "i bought a phone last year, need a case for it", None) is None
    assert task_kind("change_order", "i need to send back some headphones", None) == "return"
    assert task_kind("change_order", "send the two lamps back", "modify_items") == "return"
