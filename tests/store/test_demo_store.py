"""The demo store import on SQLite and PostgreSQL: counts, titles, idempotence, version bumps."""

from __future__ import annotations

import json
import shutil

from sqlalchemy import func, select

from assistant.store.db import session_scope
from assistant.store.demo import DEMO_DIR, import_demo_store
from assistant.store.models import Customer, Document, Order, Product
from retrieval.catalog import catalog_version


def _count(s, model, column=None):
    target = func.count(func.distinct(column)) if column is not None else func.count()
    return s.scalar(select(target).select_from(model))


def test_demo_import_counts_and_content(store_engine):
    with session_scope(store_engine) as s:
        report = import_demo_store(s)
    assert (report.products.imported, report.customers_changed, report.orders_changed) == (
        591,
        500,
        1000,
    )
    with session_scope(store_engine) as s:
        assert _count(s, Product) == 591
        assert _count(s, Product, Product.group_id) == 50
        assert _count(s, Product, Product.category) == 50
        assert _count(s, Customer) == 500
        assert _count(s, Order) == 1000
        assert catalog_version(s) == 1

        bottle = s.get(Product, "6469567736")  # checked by hand in assistant/resources/tau2_retail/db.json
        assert bottle.title == "Water Bottle — 1000ml, glass, blue"
        assert (
            bottle.description
            == "Water Bottle with capacity 1000ml, material glass and color blue."
        )
        assert bottle.category == "Water Bottle" and bottle.group_id == "8310926033"
        assert bottle.attributes == {"capacity": "1000ml", "material": "glass", "color": "blue"}
        assert (bottle.price, bottle.currency, bottle.brand) == (47.84, "USD", None)

        noah = s.get(Customer, "noah_brown_6181")
        assert noah.email == "noah.brown7922@example.com"
        assert (noah.first_name, noah.last_name, noah.address["zip"]) == ("Noah", "Brown", "80279")
        assert set(noah.payment_methods) == {"paypal_5727330", "credit_card_7815826"}

        order = s.get(Order, "#W2611340")
        assert (order.customer_id, order.status, len(order.items)) == (
            "james_li_5688",
            "processed",
            2,
        )
        assert order.payment_history == [
            {
                "transaction_type": "payment",
                "amount": 536.65,
                "payment_method_id": "gift_card_1725971",
            }
        ]
        policy = s.get(Document, "policy")
        assert policy.source == "data/tau2_retail/policy.md"
        assert policy.title == "Retail agent policy"
        assert "authenticate the user identity" in policy.text


def test_demo_counts_match_the_source_file(store_engine):
    data = json.loads((DEMO_DIR / "db.json").read_text())
    unavailable = {
        item_id
        for p in data["products"].values()
        for item_id, v in p["variants"].items()
        if not v["available"]
    }
    with session_scope(store_engine) as s:
        import_demo_store(s)
    with session_scope(store_engine) as s:
        stored = set(s.scalars(select(Product.id).where(Product.available.is_(False))))
    assert stored == unavailable and len(unavailable) > 0


def test_second_import_changes_nothing_and_keeps_shop_changes(store_engine):
    with session_scope(store_engine) as s:
        import_demo_store(s)
    with session_scope(store_engine) as s:
        s.get(Order, "#W2611340").status = "cancelled"  # the assistant acted on it
    with session_scope(store_engine) as s:
        again = import_demo_store(s)
    assert not again.changed
    assert (again.products.imported, again.products.updated, again.products.unchanged) == (
        0,
        0,
        591,
    )
    with session_scope(store_engine) as s:
        assert catalog_version(s) == 1
        assert s.get(Order, "#W2611340").status == "cancelled"
    with session_scope(store_engine) as s:
        reset = import_demo_store(s, reset=True)
    assert reset.orders_changed == 1 and reset.customers_changed == 0
    with session_scope(store_engine) as s:
        assert s.get(Order, "#W2611340").status == "processed"
        assert catalog_version(s) == 1  # products did not change


def test_changed_product_bumps_the_version(store_engine, tmp_path):
    with session_scope(store_engine) as s:
        import_demo_store(s)
    data = json.loads((DEMO_DIR / "db.json").read_text())
    for product in data["products"].values():
        if "6469567736" in product["variants"]:
            product["variants"]["6469567736"]["price"] = 40.0
    (tmp_path / "db.json").write_text(json.dumps(data))
    shutil.copy(DEMO_DIR / "policy.md", tmp_path / "policy.md")
    with session_scope(store_engine) as s:
        report = import_demo_store(s, tmp_path)
    assert (report.products.updated, report.products.unchanged, report.products.version) == (
        1,
        590,
        2,
    )
    with session_scope(store_engine) as s:
        assert s.get(Product, "6469567736").price == 40.0
        assert catalog_version(s) == 2
