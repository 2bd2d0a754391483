"""Models on SQLite and PostgreSQL: JSON round trips, upsert, foreign keys, relationships."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assistant.store.db import session_scope
from assistant.store.models import (
    ChatSession,
    Customer,
    Feedback,
    Message,
    Order,
    Product,
)
from retrieval.catalog import ProductRow, bump_catalog_version, catalog_version
from retrieval.catalog.store import write_batch

ADDRESS = {"address1": "1 Main St", "city": "Zürich", "zip": "8001", "lines": ["a", "b"]}
ITEMS = [{"item_id": "1", "price": 12.5, "options": {"color": "blue", "size": "M"}}, {"n": None}]


def _customer(cid="c1", email="c1@example.com"):
    return Customer(
        id=cid,
        email=email,
        first_name="Ana",
        last_name="Lee",
        address=ADDRESS,
        payment_methods={"gift_card_1": {"balance": 10.0}},
    )


def test_json_columns_round_trip(store_engine):
    with session_scope(store_engine) as s:
        s.add(_customer())
        s.add(
            Order(
                id="#W1",
                customer_id="c1",
                status="pending",
                address=ADDRESS,
                items=ITEMS,
                fulfillments=[],
                payment_history=[{"amount": 3.25}],
                extra={"note": "ü"},
            )
        )
        s.add(ChatSession(id="s1", state={"slots": {"color": ["red"]}, "shown": [1, 2]}))
        s.add(
            Message(
                session_id="s1",
                role="assistant",
                text="hi",
                plan={"action": "search"},
                products=[{"id": "p", "score": 0.5}],
                slots={},
            )
        )
    with session_scope(store_engine) as s:
        order = s.get(Order, "#W1")
        assert order.items == ITEMS
        assert order.address == ADDRESS
        assert order.payment_history == [{"amount": 3.25}]
        assert order.extra == {"note": "ü"}
        assert order.customer.payment_methods == {"gift_card_1": {"balance": 10.0}}
        chat = s.get(ChatSession, "s1")
        assert chat.state == {"slots": {"color": ["red"]}, "shown": [1, 2]}
        assert chat.messages[0].products == [{"id": "p", "score": 0.5}]
        assert chat.messages[0].created_at is not None


def test_foreign_keys_are_enforced(store_engine):
    with pytest.raises(IntegrityError):
        with session_scope(store_engine) as s:
            s.add(Order(id="#W9", customer_id="nobody", status="pending"))
    with pytest.raises(IntegrityError):
        with session_scope(store_engine) as s:
            s.add(Feedback(message_id=12345, rating="up"))
    with session_scope(store_engine) as s:
        s.add(_customer())
        s.flush()
        s.add(Order(id="#W2", customer_id="c1", status="pending"))
    with pytest.raises(IntegrityError):  # a customer with orders cannot vanish under them
        with session_scope(store_engine) as s:
            s.delete(s.get(Customer, "c1"))
    with session_scope(store_engine) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1


def test_unique_email(store_engine):
    with pytest.raises(IntegrityError):
        with session_scope(store_engine) as s:
            s.add(_customer("a", "same@example.com"))
            s.add(_customer("b", "same@example.com"))


def test_upsert_inserts_updates_and_skips_unchanged(store_engine):
    a = ProductRow(id="a", title="Lamp", price=10.0, attributes={"color": "red"})
    b = ProductRow(id="b", title="Desk", price=99.0)
    with session_scope(store_engine) as s:
        assert write_batch(s, [a, b]) == (2, 0, 0)
    a2 = ProductRow(id="a", title="Lamp", price=12.0, attributes={"color": "red"})
    with session_scope(store_engine) as s:
        assert write_batch(s, [a2, b]) == (0, 1, 1)
    with session_scope(store_engine) as s:
        lamp = s.get(Product, "a")
        assert (lamp.price, lamp.attributes, lamp.currency, lamp.available) == (
            12.0,
            {"color": "red"},
            "USD",
            True,
        )
        assert lamp.content_hash == a2.content_hash() != a.content_hash()
        assert s.scalar(select(func.count()).select_from(Product)) == 2


def test_catalog_version_counts_up(store_engine):
    with session_scope(store_engine) as s:
        assert catalog_version(s) == 0
        assert bump_catalog_version(s) == 1
        assert bump_catalog_version(s) == 2
    with session_scope(store_engine) as s:
        assert catalog_version(s) == 2
