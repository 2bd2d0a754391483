"""Shopper feedback reaches the ranker: event kinds agree, purchases in chats feed the rules."""

from __future__ import annotations

from assistant.feedback.export import ACCEPT_KINDS, REJECT_KINDS
from assistant.store.models import ChatSession, InteractionEvent, Product


def test_event_kinds_are_the_ones_the_profile_weighs():
    from assistant.service import EVENT_KINDS
    from ranker.profile import EVENT_WEIGHTS

    for kind in (*ACCEPT_KINDS, *REJECT_KINDS, "more_like_this"):
        assert kind in EVENT_WEIGHTS and kind in EVENT_KINDS
    assert EVENT_WEIGHTS["not_for_me"] < 0 < EVENT_WEIGHTS["more_like_this"]


def test_chat_purchases_feed_association_rules(db):
    from ranker.association import AssociationRules

    db.add_all([Product(id=f"i{n}", group_id=f"g{n}", title=f"T{n}", price=1.0) for n in range(3)])
    from ranker.association import AssociationRules as Rules

    assert len(Rules.from_session(db, min_support=0.1, min_count=2)) == 0  # no orders, no events
    for n in range(4):  # four chat sessions buying g0 with g1; none buying g2
        db.add(ChatSession(id=f"s{n}"))
        db.flush()
        db.add_all(
            [
                InteractionEvent(session_id=f"s{n}", product_id="i0", kind="purchase"),
                InteractionEvent(session_id=f"s{n}", product_id="i1", kind="purchase"),
                InteractionEvent(session_id=f"s{n}", product_id="i2", kind="not_for_me"),
            ]
        )
    db.flush()
    rules = AssociationRules.from_session(db, min_support=0.1, min_count=2)
    (best,) = rules.complements(["i0"], k=3)
    assert best.group == "g1" and best.rule.count == 4 and best.rule.confidence == 1.0
