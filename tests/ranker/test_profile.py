"""Profiles: decay and weights against hand computation; load_profile from the store."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from ranker.profile import EVENT_WEIGHTS, UserProfile, fold_events, load_profile

T0 = datetime(2026, 1, 1, 12, 0, 0)
E = np.eye(4, dtype=np.float32)


def test_update_weights_and_decay_hand_computed():
    p = UserProfile(half_life_hours=10.0)
    assert p.is_empty and p.unit() is None
    p = p.update("a", "purchase", E[0], at=T0, title="A")
    p = p.update("b", "view", E[1], at=T0 + timedelta(hours=10), title="B")
    p = p.update("c", "not_for_me", E[2], at=T0 + timedelta(hours=20))
    # a: 3 · 0.25, b: 0.5 · 0.5, c: -2 · 1
    np.testing.assert_allclose(p.vector, [0.75, 0.25, -2.0, 0.0], rtol=1e-6)
    assert p.disliked == ("c",) and p.bought == ("a",)
    assert [a[0] for a in p.anchors] == ["b", "a"]
    assert p.nearest_anchor(E[0]) == "A"
    scores = p.personal_scores(E)
    assert scores[2] < 0 < scores[1] < scores[0]


def test_late_event_is_decayed_not_the_past():
    p = UserProfile(half_life_hours=10.0).update("a", "click", E[0], at=T0)
    p = p.update("b", "click", E[1], at=T0 - timedelta(hours=10))
    np.testing.assert_allclose(p.vector, [1.0, 0.5, 0, 0], rtol=1e-6)
    assert p.as_of == T0


def test_liking_again_lifts_a_dislike_and_unknown_kind_fails():
    p = UserProfile().update("a", "not_for_me", E[0], at=T0).update("a", "click", E[0], at=T0)
    assert p.disliked == ()
    with pytest.raises(ValueError, match="unknown event kind"):
        p.update("a", "stare", E[0])


def test_fold_events_matches_updates():
    fn = {"a": E[0], "b": E[1]}
    p = fold_events(
        UserProfile(),
        [("a", "click"), ("b", "add_to_cart")],
        lambda ids: [fn[i] for i in ids],
        at=T0,
    )
    np.testing.assert_allclose(p.vector, [1.0, 2.0, 0, 0], rtol=1e-6)
    assert p.bought == ("b",)


def test_load_profile_from_events_and_orders(engine):
    from assistant.store.db import session_scope
    from assistant.store.models import ChatSession, Customer, InteractionEvent, Order, Product

    vecs = {"p1": E[0], "p2": E[1], "p3": E[2], "p4": E[3]}
    with session_scope(engine) as s:
        for pid in vecs:
            s.add(Product(id=pid, title=pid.upper(), price=1.0, category="cat"))
        s.add(Customer(id="u1", email="u@x", first_name="U", last_name="One"))
        s.flush()
        s.add(ChatSession(id="s1", user_id=None, customer_id="u1"))
        s.add(ChatSession(id="other"))
        s.flush()
        s.add(
            Order(
                id="o1",
                customer_id="u1",
                status="delivered",
                updated_at=T0 - timedelta(days=14),
                items=[{"item_id": "p1", "product_id": "g1", "name": "cat"}],
            )
        )
        s.add(
            Order(
                id="o2",
                customer_id="u1",
                status="cancelled",
                updated_at=T0,
                items=[{"item_id": "p4", "product_id": "g4", "name": "cat"}],
            )
        )
        s.add(
            InteractionEvent(session_id="s1", product_id="p2", kind="more_like_this", created_at=T0)
        )
        s.add(InteractionEvent(session_id="s1", product_id="p3", kind="not_for_me", created_at=T0))
        s.add(InteractionEvent(session_id="s1", product_id="zz", kind="click", created_at=T0))
        s.add(InteractionEvent(session_id="other", product_id="p4", kind="purchase", created_at=T0))
    calls = []

    def embeddings_fn(ids):
        calls.append(list(ids))
        return np.stack([vecs[i] for i in ids])

    with session_scope(engine) as s:
        p = load_profile(
            s, session_id="s1", embeddings_fn=embeddings_fn, now=T0, half_life_hours=24 * 14
        )
    assert calls == [["p1", "p2", "p3"]]  # unknown "zz" and other sessions' events left out
    # p1 bought 14 days (one half-life) before: 3 · 0.5; p2: 2; p3: -2; cancelled p4: none
    expected = np.array([1.5, EVENT_WEIGHTS["more_like_this"], -2.0, 0.0])
    np.testing.assert_allclose(p.unit(), expected / np.linalg.norm(expected), rtol=1e-5)
    assert p.disliked == ("p3",) and p.bought == ("p1",)
    assert dict(p.anchors)["p2"] == "P2"
    with session_scope(engine) as s:
        assert load_profile(s, user_id="nobody", embeddings_fn=embeddings_fn).is_empty
