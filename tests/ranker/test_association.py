"""Association rules against a hand-computed example."""

from __future__ import annotations

import pytest

from ranker.association import AssociationRules


def _item(group: str, item: str) -> dict:
    return {"product_id": group, "item_id": item, "name": group.title()}


ORDERS = [
    [_item("tent", "t1"), _item("bag", "b1")],
    [_item("tent", "t2"), _item("bag", "b1"), _item("lamp", "l1")],
    [_item("tent", "t1"), _item("stove", "s1"), _item("tent", "t2")],  # tent twice: counts once
    [_item("lamp", "l1")],
    [_item("bag", "b2")],
]
# n=5; n(tent)=3, n(bag)=3, n(lamp)=2, n(stove)=1
# tent∧bag=2, tent∧lamp=1, bag∧lamp=1, tent∧stove=1


def test_rules_hand_computed():
    rules = AssociationRules.mine(ORDERS, min_support=0.2, min_confidence=0.1, min_count=1)
    by_pair = {(r.antecedent, r.consequent): r for rs in rules.rules.values() for r in rs}
    tb = by_pair[("tent", "bag")]
    assert tb.support == pytest.approx(0.4)
    assert tb.confidence == pytest.approx(2 / 3)
    assert tb.lift == pytest.approx((2 / 3) / (3 / 5))
    ts = by_pair[("tent", "stove")]
    assert (ts.confidence, ts.lift) == (pytest.approx(1 / 3), pytest.approx(5 / 3))
    st = by_pair[("stove", "tent")]
    assert (st.confidence, st.lift) == (pytest.approx(1.0), pytest.approx(5 / 3))
    # tent → lamp: conf 1/3, lift (1/3)/(2/5) = 0.83 < 1: dropped by min_lift
    assert ("tent", "lamp") not in by_pair
    assert tb.explanation == "often bought with Tent: conf 0.67, lift 1.1"


def test_complements_other_categories_strongest_first():
    rules = AssociationRules.mine(ORDERS, min_support=0.2, min_confidence=0.1, min_count=1)
    got = rules.complements(["t1"], k=5)  # an item id maps to its group
    assert [(c.group, c.label) for c in got] == [("bag", "Bag"), ("stove", "Stove")]
    assert got[0].rule.confidence == pytest.approx(2 / 3)
    assert rules.complements(["t1"], k=1)[0].group == "bag"
    # nothing from the basket's own groups
    assert all(c.group not in {"tent", "bag"} for c in rules.complements(["tent", "b1"]))


def test_thresholds_filter_rules():
    strict = AssociationRules.mine(ORDERS, min_support=0.3, min_confidence=0.5, min_count=2)
    pairs = {(r.antecedent, r.consequent) for rs in strict.rules.values() for r in rs}
    assert pairs == {("tent", "bag"), ("bag", "tent")}
    assert strict.complements(["stove"]) == []


def test_from_session_streams_store_orders(engine):
    from assistant.store.db import session_scope
    from assistant.store.models import Customer, Order

    with session_scope(engine) as s:
        s.add(Customer(id="c1", email="c1@x", first_name="A", last_name="B"))
        for i, items in enumerate(ORDERS):
            s.add(Order(id=f"o{i}", customer_id="c1", status="delivered", items=items))
        s.add(Order(id="ox", customer_id="c1", status="cancelled", items=ORDERS[0]))
    with session_scope(engine) as s:
        rules = AssociationRules.from_session(s, min_support=0.2, min_confidence=0.1, min_count=1)
    assert rules.n_orders == 5
    assert [c.group for c in rules.complements(["t1"])] == ["bag", "stove"]
