"""Personal suggestions and cross-sell in the chat, on the demo store: a tiny recommender is
trained on the store's orders and made live for the tests that use it (retired after each);
what is shown is checked against the customer's order rows and the product rows."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from assistant.store.models import Customer, ModelVersion, Order, Product

BECAUSE = re.compile(r"^because you bought (.+)$")


def sid() -> str:
    return uuid.uuid4().hex


def orders_of(db, customer_id: str) -> list[Order]:
    rows = db.scalars(
        select(Order).where(Order.customer_id == customer_id, Order.status != "cancelled")
    )
    return list(rows)


def bought(db, customer_id: str) -> tuple[set[str], set[str]]:
    """(names of the products in the customer's orders, their product groups)."""
    items = [it for o in orders_of(db, customer_id) for it in o.items]
    return {it["name"] for it in items}, {db.get(Product, it["item_id"]).group_id for it in items}


def customers_with_history(db, n: int) -> list[Customer]:
    """``n`` customers with 3 or more ordered products, the first ``n`` by id."""
    out = []
    for c in db.scalars(select(Customer).order_by(Customer.id)):
        if len(bought(db, c.id)[1]) >= 3:
            out.append(c)
            if len(out) == n:
                return out
    raise AssertionError("the demo store has too few customers with orders")


def retire_recommenders(settings) -> None:
    from assistant.store.db import get_engine, session_scope

    with session_scope(get_engine(settings.db_url)) as s:
        for row in s.scalars(select(ModelVersion).where(ModelVersion.kind == "recommender")):
            row.status = "retired"


@pytest.fixture(scope="module")
def trained(live_home):
    """A tiny recommender trained on the demo store's orders (its version id)."""
    from ranker.recommender import train_recommender
    from ranker.sequential import SASRecConfig

    config = SASRecConfig(hidden=16, layers=1, max_len=20, dropout=0.0, max_epochs=3)
    version = train_recommender(config=config, settings=live_home)["version"]
    retire_recommenders(live_home)
    yield version
    (live_home.models_dir / "recommender_eval.json").unlink(missing_ok=True)


@pytest.fixture()
def live_recommender(live_home, trained):
    from ranker.recommender import promote

    promote(trained, live_home)
    yield trained
    retire_recommenders(live_home)


def verified(assistant, customer: Customer) -> str:
    s = sid()
    r = assistant.turn(f"my email is {customer.email}", s)
    assert "verified" in r.reply.lower() or customer.first_name in r.reply, r.reply
    return s


def test_a_verified_customer_gets_picks_grounded_in_their_orders(assistant, db, live_recommender):
    first, second = customers_with_history(db, 2)
    for customer in (first, second):
        names, groups = bought(db, customer.id)
        s = verified(assistant, customer)
        r = assistant.turn("recommend something for me", s)
        assert r.action == "recommend" and r.products, r.reply
        anchors = []
        for p in r.products:
            row = db.get(Product, p["id"])
            assert row.available, p
            assert row.group_id not in groups, f"{row.title} was already bought"
            assert p["reason"] and p["reason"] in r.reply
            m = BECAUSE.match(p["reason"])
            if m:
                anchors.append(m.group(1))
            assert {"id", "product_id", "options", "price_range", "option_values"} <= set(p)
        # each reason names a product of this customer's own orders, never another shopper's
        assert anchors and set(anchors) <= names, (anchors, names)
        assert "popular right now" not in r.reply


def test_what_else_would_i_like_shows_other_picks(assistant, db, live_recommender):
    customer = customers_with_history(db, 1)[0]
    _, groups = bought(db, customer.id)
    s = verified(assistant, customer)
    first = assistant.turn("any suggestions for me?", s)
    more = assistant.turn("what else would I like", s)
    assert first.products and more.products
    assert not {p["id"] for p in first.products} & {p["id"] for p in more.products}
    assert not {db.get(Product, p["id"]).group_id for p in more.products} & groups


def test_the_user_id_of_the_turn_is_a_known_shopper(assistant, db, live_recommender):
    customer = customers_with_history(db, 1)[0]
    names, _ = bought(db, customer.id)
    r = assistant.turn("what should I get next", sid(), user_id=customer.id)
    reasons = [BECAUSE.match(p["reason"]) for p in r.products]
    assert r.products and all(reasons) and {m.group(1) for m in reasons} <= names


def test_an_unknown_shopper_gets_popular_items_said_so(assistant, live_recommender):
    r = assistant.turn("recommend something for me", sid())
    assert r.action == "recommend" and r.products
    assert "popular right now" in r.reply and "because you" not in r.reply
    assert {p["reason"] for p in r.products} == {"popular right now"}


def test_no_live_recommender_falls_back_to_popular_items(assistant, db, live_home, trained):
    from ranker.recommender import live_recommender

    assert live_recommender(db) is None
    customer = customers_with_history(db, 1)[0]
    _, groups = bought(db, customer.id)
    s = verified(assistant, customer)
    r = assistant.turn("recommend something for me", s)
    assert r.products and {p["reason"] for p in r.products} == {"popular right now"}
    assert "can't make personal picks" in r.reply and "because you" not in r.reply
    # popular, and still nothing the customer already bought
    assert not {db.get(Product, p["id"]).group_id for p in r.products} & groups


def test_what_goes_with_the_basket_leaves_the_basket_out(assistant, db, live_recommender):
    customer = customers_with_history(db, 1)[0]
    s = verified(assistant, customer)
    assistant.turn("recommend something for me", s)
    added = assistant.turn("add the first one to my basket", s)
    assert added.action == "cart" and added.products
    in_basket = db.get(Product, added.products[0]["id"])
    for text in ("what goes with what's in my basket", "anything to go with it?"):
        r = assistant.turn(text, s)
        assert r.action == "recommend" and r.products, r.reply
        assert in_basket.group_id not in {db.get(Product, p["id"]).group_id for p in r.products}
        names, _ = bought(db, customer.id)
        for p in r.products:
            assert p["reason"] in r.reply
            m = re.match(
                r"^(?:often bought with|because you added) (.+?)(?: to your cart)?$", p["reason"]
            )
            n = BECAUSE.match(p["reason"])
            assert (m and m.group(1) == in_basket.title.split(" — ")[0]) or (
                n and n.group(1) in names
            ), p["reason"]


def test_a_named_product_type_is_still_a_search(assistant, db, live_recommender):
    r = assistant.turn("recommend a backpack for me", sid())
    assert r.products and {db.get(Product, p["id"]).category for p in r.products} == {"Backpack"}


def plan(text: str, state=None, update=None, intent: str = "recommend", confidence: float = 0.9) -> str:
    from assistant.dialogue.planner import plan_action
    from assistant.dialogue.state import DialogueState

    return plan_action(intent, confidence, text, state or DialogueState(), update, threshold=0.35,
                       service_entities=False, affirm=False, deny=False).action  # fmt: skip


@pytest.mark.parametrize("text", [
    "recommend something for me", "what else would I like", "any suggestions for me?",
    "what should I get next", "what goes with what's in my basket", "anything to go with it",
])  # fmt: skip
def test_asks_for_picks_with_nothing_named_are_suggestions(text):
    assert plan(text) == "suggest"


def test_a_named_type_a_price_a_basket_change_or_a_waiting_write_is_not_a_suggestion():
    from assistant.dialogue.refine import ShoppingUpdate
    from assistant.dialogue.state import DialogueState
    from retrieval.grounding import Grounding

    named = ShoppingUpdate(new_need=True, constraints=True, grounding=Grounding(types=["Backpack"]))
    assert plan("recommend a backpack for me", update=named) != "suggest"
    assert plan("recommend something for me under $50") != "suggest"
    assert plan("add something that goes with it to my basket") == "cart"
    waiting = DialogueState(pending={"verb": "cancel order #W1", "summary": "cancel order #W1"})
    assert plan("recommend something for me", state=waiting) != "suggest"
