"""Service tools against the policy rules, on a small hand-built store."""

from __future__ import annotations

import pytest

from assistant import tools
from assistant.store.db import session_scope
from assistant.store.models import Customer, Order, Product
from assistant.tools import ToolError

ALICE, BOB = "alice_1", "bob_2"


@pytest.fixture()
def store(engine):
    with session_scope(engine) as s:
        s.add_all(
            [
                Customer(
                    id=ALICE, email="Alice@Example.com", first_name="Alice", last_name="Smith",
                    address={"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"},
                    payment_methods={
                        "gift_card_1": {"source": "gift_card", "id": "gift_card_1", "balance": 30.0},
                        "paypal_1": {"source": "paypal", "id": "paypal_1"},
                        "credit_card_1": {"source": "credit_card", "id": "credit_card_1", "brand": "visa", "last_four": "1111"},
                    },
                ),
                Customer(
                    id=BOB, email="bob@example.com", first_name="Bob", last_name="Jones",
                    address={"address1": "2 Oak St", "city": "Boston", "state": "MA", "country": "USA", "zip": "02101"},
                    payment_methods={"paypal_2": {"source": "paypal", "id": "paypal_2"}},
                ),
                Product(id="T1", group_id="TSHIRT", title="T-Shirt", price=20.0, available=True, attributes={"color": "blue", "size": "M"}),
                Product(id="T2", group_id="TSHIRT", title="T-Shirt", price=25.0, available=True, attributes={"color": "red", "size": "M"}),
                Product(id="T3", group_id="TSHIRT", title="T-Shirt", price=22.0, available=False, attributes={"color": "green", "size": "M"}),
                Product(id="T4", group_id="TSHIRT", title="T-Shirt", price=80.0, available=True, attributes={"color": "gold", "size": "M"}),
                Product(id="M1", group_id="MUG", title="Mug", price=10.0, available=True, attributes={"color": "white"}),
            ]
        )
        s.flush()
        item = {"name": "T-Shirt", "product_id": "TSHIRT", "item_id": "T1", "price": 20.0, "options": {"color": "blue", "size": "M"}}
        mug = {"name": "Mug", "product_id": "MUG", "item_id": "M1", "price": 10.0, "options": {"color": "white"}}
        for oid, cust, status, method in [
            ("#W1000001", ALICE, "pending", "gift_card_1"),
            ("#W1000002", ALICE, "delivered", "paypal_1"),
            ("#W1000003", ALICE, "processed", "paypal_1"),
            ("#W1000004", ALICE, "pending", "credit_card_1"),
            ("#W2000001", BOB, "pending", "paypal_2"),
        ]:
            s.add(
                Order(
                    id=oid, customer_id=cust, status=status,
                    address={"address1": "1 Main St", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"},
                    items=[dict(item), dict(mug)],
                    fulfillments=[{"tracking_id": ["999"], "item_ids": ["T1", "M1"]}] if status != "pending" else [],
                    payment_history=[{"transaction_type": "payment", "amount": 30.0, "payment_method_id": method}],
                )
            )
    return engine


def _order(engine, oid):
    with session_scope(engine) as s:
        o = s.get(Order, oid)
        return o.status, list(o.payment_history), dict(o.extra or {}), list(o.items), dict(o.address)


def _balance(engine, cid, pm):
    with session_scope(engine) as s:
        return s.get(Customer, cid).payment_methods[pm].get("balance")


def test_authentication_by_email_and_by_name_zip(store):
    with session_scope(store) as s:
        assert tools.find_customer_by_email(s, "alice@example.COM").id == ALICE
        assert tools.find_customer_by_email(s, "nobody@example.com") is None
        assert tools.find_customer_by_name_zip(s, "alice", "SMITH", "78701").id == ALICE
        assert tools.find_customer_by_name_zip(s, "Alice", "Smith", "99999") is None


def test_other_customers_order_reads_like_a_missing_one(store):
    with session_scope(store) as s:
        with pytest.raises(ToolError) as other:
            tools.get_order(s, ALICE, "#W2000001")
        with pytest.raises(ToolError) as missing:
            tools.get_order(s, ALICE, "#W2999999")
        assert "Bob" not in str(other.value) and "pending" not in str(other.value)
        assert str(other.value).replace("2000001", "X") == str(missing.value).replace("2999999", "X")
        assert tools.get_order(s, ALICE, "w1000001").id == "#W1000001"
        assert [o["order_id"] for o in tools.list_orders(s, ALICE)] == ["#W1000001", "#W1000002", "#W1000003", "#W1000004"]


def test_cancel_needs_pending_status_and_an_accepted_reason(store):
    with session_scope(store) as s, pytest.raises(ToolError, match="reason"):
        tools.cancel_pending_order(s, ALICE, "#W1000001", "found it cheaper")
    with session_scope(store) as s, pytest.raises(ToolError, match="processed"):
        tools.cancel_pending_order(s, ALICE, "#W1000003", "no longer needed")
    with session_scope(store) as s, pytest.raises(ToolError):
        tools.cancel_pending_order(s, ALICE, "#W2000001", "no longer needed")
    assert _order(store, "#W2000001")[0] == "pending"
    with session_scope(store) as s:
        tools.cancel_pending_order(s, ALICE, "#W1000001", "Ordered by mistake")
    status, payments, extra, _, _ = _order(store, "#W1000001")
    assert status == "cancelled" and extra["cancel_reason"] == "ordered by mistake"
    assert payments[-1] == {"transaction_type": "refund", "amount": 30.0, "payment_method_id": "gift_card_1"}
    assert _balance(store, ALICE, "gift_card_1") == 60.0  # gift card refunded immediately


def test_modify_address_only_for_pending_orders(store):
    new = {"address1": "9 Elm St", "city": "Dallas", "state": "TX", "zip": "75001"}
    with session_scope(store) as s, pytest.raises(ToolError, match="delivered"):
        tools.modify_pending_order_address(s, ALICE, "#W1000002", new)
    with session_scope(store) as s:
        tools.modify_pending_order_address(s, ALICE, "#W1000001", new)
    assert _order(store, "#W1000001")[4]["address1"] == "9 Elm St"
    with session_scope(store) as s, pytest.raises(ToolError, match="missing"):
        tools.modify_user_address(s, ALICE, {"address1": "x"})
    with session_scope(store) as s:
        tools.modify_user_address(s, ALICE, new)
        assert s.get(Customer, ALICE).address["city"] == "Dallas"


def test_modify_payment_rules(store):
    with session_scope(store) as s, pytest.raises(ToolError, match="different"):
        tools.modify_pending_order_payment(s, ALICE, "#W1000004", "credit_card_1")
    with session_scope(store) as s, pytest.raises(ToolError, match="not one of your"):
        tools.modify_pending_order_payment(s, ALICE, "#W1000004", "paypal_2")
    with session_scope(store) as s:
        s.get(Customer, ALICE).payment_methods = {
            **s.get(Customer, ALICE).payment_methods,
            "gift_card_1": {"source": "gift_card", "id": "gift_card_1", "balance": 10.0},
        }
    with session_scope(store) as s, pytest.raises(ToolError, match="balance"):
        tools.modify_pending_order_payment(s, ALICE, "#W1000004", "gift_card_1")
    with session_scope(store) as s:
        tools.modify_pending_order_payment(s, ALICE, "#W1000004", "paypal_1")
    status, payments, *_ = _order(store, "#W1000004")
    assert status == "pending"
    assert payments[1:] == [
        {"transaction_type": "payment", "amount": 30.0, "payment_method_id": "paypal_1"},
        {"transaction_type": "refund", "amount": 30.0, "payment_method_id": "credit_card_1"},
    ]


def test_modify_items_same_product_available_once(store):
    with session_scope(store) as s, pytest.raises(ToolError, match="different product"):
        tools.modify_pending_order_items(s, ALICE, "#W1000004", ["T1"], ["M1"], "paypal_1")
    with session_scope(store) as s, pytest.raises(ToolError, match="not available"):
        tools.modify_pending_order_items(s, ALICE, "#W1000004", ["T1"], ["T3"], "paypal_1")
    with session_scope(store) as s, pytest.raises(ToolError, match="balance"):
        tools.modify_pending_order_items(s, ALICE, "#W1000004", ["T1"], ["T4"], "gift_card_1")
    with session_scope(store) as s:
        tools.modify_pending_order_items(s, ALICE, "#W1000004", ["T1"], ["T2"], "gift_card_1")
    status, payments, _, items, _ = _order(store, "#W1000004")
    assert status == "pending (item modified)"
    assert items[0]["item_id"] == "T2" and items[0]["price"] == 25.0
    assert payments[-1] == {"transaction_type": "payment", "amount": 5.0, "payment_method_id": "gift_card_1"}
    assert _balance(store, ALICE, "gift_card_1") == 25.0
    with session_scope(store) as s, pytest.raises(ToolError):  # only once per order
        tools.modify_pending_order_items(s, ALICE, "#W1000004", ["T2"], ["T1"], "paypal_1")
    with session_scope(store) as s, pytest.raises(ToolError):  # and no cancel afterwards
        tools.cancel_pending_order(s, ALICE, "#W1000004", "no longer needed")


def test_return_refund_goes_to_original_method_or_gift_card(store):
    with session_scope(store) as s, pytest.raises(ToolError, match="original"):
        tools.return_delivered_order_items(s, ALICE, "#W1000002", ["T1"], "credit_card_1")
    with session_scope(store) as s, pytest.raises(ToolError, match="pending"):
        tools.return_delivered_order_items(s, ALICE, "#W1000001", ["T1"], "gift_card_1")
    with session_scope(store) as s, pytest.raises(ToolError, match="not in order"):
        tools.return_delivered_order_items(s, ALICE, "#W1000002", ["T9"], "paypal_1")
    with session_scope(store) as s:
        tools.return_delivered_order_items(s, ALICE, "#W1000002", ["M1", "T1"], "gift_card_1")
    status, _, extra, *_ = _order(store, "#W1000002")
    assert status == "return requested"
    assert extra["return_items"] == ["M1", "T1"] and extra["return_payment_method_id"] == "gift_card_1"


def test_exchange_delivered_once(store):
    with session_scope(store) as s:
        tools.exchange_delivered_order_items(s, ALICE, "#W1000002", ["T1"], ["T2"], "paypal_1")
    status, _, extra, *_ = _order(store, "#W1000002")
    assert status == "exchange requested" and extra["exchange_price_difference"] == 5.0
    assert extra["exchange_new_items"] == ["T2"]
    with session_scope(store) as s, pytest.raises(ToolError, match="exchange requested"):
        tools.exchange_delivered_order_items(s, ALICE, "#W1000002", ["M1"], ["M1"], "paypal_1")
