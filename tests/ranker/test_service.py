"""Ranker.rank: blend by hand, diversification, personalisation, cross-sell, cold start."""

from __future__ import annotations

import time

import numpy as np
import pytest

from assistant.errors import UserError
from assistant.settings import Settings
from ranker.association import AssociationRules
from ranker.popularity import Popularity
from ranker.profile import UserProfile
from ranker.service import REASON_CODES, Ranker, theta_for_diversity
from retrieval.types import Candidate

WEIGHTS = dict(
    weight_relevance=1.0, weight_personal=0.5, weight_available=0.2, weight_popularity=0.1
)


def _settings(tmp_path, **kw) -> Settings:
    return Settings(home=tmp_path, device="cpu", **{**WEIGHTS, **kw})


def _cand(i: str, score: float, category: str = "Tent", available: bool = True) -> Candidate:
    return Candidate(i, f"{category} {i}", category, None, 10.0, available, score)


def _unit(rows) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_no_diversity_is_the_hand_computed_blend(tmp_path):
    cands = [_cand("a", 1.0), _cand("b", 3.0, available=False), _cand("c", 2.0)]
    pop = Popularity(items={"c": 9.0}, categories={})
    ranker = Ranker(_settings(tmp_path), popularity=pop)
    got = ranker.rank(cands, np.eye(3), k=3, diversity=0.0)
    # a: 0 + 0.2 = 0.2; b: 1 + 0 = 1.0; c: 0.5 + 0.2 + 0.1·0.5 = 0.75
    assert got.ids == ["b", "c", "a"]
    assert [i.score for i in got.items] == pytest.approx([1.0, 0.75, 0.2])
    assert got.items[0].reason_code == "query_match"
    assert got.method == "relevance"


def test_diversity_breaks_up_near_duplicates(tmp_path):
    cands = [_cand("t1", 1.0), _cand("t2", 0.95), _cand("t3", 0.9)]
    cands += [_cand("bag", 0.5, "Sleeping Bag"), _cand("lamp", 0.4, "Lamp")]
    rng = np.random.default_rng(0)
    base = rng.normal(size=8)
    emb = [base + 0.01 * rng.normal(size=8) for _ in range(3)] + list(rng.normal(size=(2, 8)))
    ranker = Ranker(_settings(tmp_path))
    plain = ranker.rank(cands, np.array(emb), k=3, diversity=0.0)
    diverse = ranker.rank(cands, np.array(emb), k=3, diversity=0.8)
    assert plain.ids == ["t1", "t2", "t3"]
    assert diverse.ids[0] == "t1" and set(diverse.ids[1:]) == {"bag", "lamp"}
    assert {i.reason_code for i in diverse.items[1:]} == {"variety"}
    assert diverse.items[1].to_result()["reason"].startswith("adds variety")
    mmr_list = Ranker(_settings(tmp_path), method="mmr").rank(
        cands, np.array(emb), k=3, diversity=0.8
    )
    assert set(mmr_list.ids) == {"t1", "bag", "lamp"}


def test_dpp_that_stops_early_is_filled_by_blend(tmp_path):
    cands = [_cand(str(i), 1.0 - i / 10) for i in range(4)]
    emb = np.ones((4, 3))  # identical items: the DPP stops after one
    got = Ranker(_settings(tmp_path)).rank(cands, emb, k=3, diversity=0.5)
    assert got.ids == ["0", "1", "2"]


def test_exclusions_and_dislikes_are_hidden(tmp_path):
    cands = [_cand(x, s) for x, s in [("a", 3), ("b", 2), ("c", 1)]]
    profile = UserProfile().update("b", "not_for_me", np.eye(3)[1])
    got = Ranker(_settings(tmp_path)).rank(
        cands, np.eye(3), k=3, profile=profile, exclude_ids=["a"]
    )
    assert got.ids == ["c"]
    assert (
        Ranker(_settings(tmp_path)).rank(cands, np.eye(3), k=2, exclude_ids=["a", "b", "c"]).items
        == []
    )


def test_personal_score_and_new_product_ranked_by_content(tmp_path):
    emb = _unit([[1, 0, 0], [0, 1, 0], [0.9, 0.1, 0]])
    cands = [_cand("old", 1.0, "Lamp"), _cand("other", 1.0, "Bag"), _cand("new", 1.0, "Lamp")]
    profile = UserProfile().update(
        "liked", "more_like_this", np.array([0, 1.0, 0]), title="Blue Bag"
    )
    pop = Popularity(items={"old": 50.0, "other": 1.0}, categories={"Lamp": 10.0, "Bag": 1.0})
    ranker = Ranker(_settings(tmp_path), popularity=pop)
    got = ranker.rank(cands, emb, k=3, diversity=0.0, profile=profile)
    assert got.ids[0] == "other"
    assert got.items[0].reason_code == "similar_to_liked"
    assert got.items[0].reason == "similar to Blue Bag, which you liked"
    # "new" has no interactions at all: still ranked by its content
    profile2 = UserProfile().update("x", "click", np.array([0.8, 0.2, 0]), title="X")
    got2 = ranker.rank(cands, emb, k=3, diversity=0.0, profile=profile2)
    assert got2.ids.index("new") < got2.ids.index("other")


def test_bought_together_reason(tmp_path):
    orders = [
        [
            {"product_id": "g-tent", "item_id": "tent1", "name": "Tent"},
            {"product_id": "g-bag", "item_id": "bag1", "name": "Sleeping Bag"},
        ],
        [
            {"product_id": "g-tent", "item_id": "tent2", "name": "Tent"},
            {"product_id": "g-bag", "item_id": "bag2", "name": "Sleeping Bag"},
        ],
        [{"product_id": "g-lamp", "item_id": "lamp1", "name": "Lamp"}],
    ]
    rules = AssociationRules.mine(orders, min_count=1)
    profile = UserProfile().update("tent1", "purchase", np.array([1.0, 0, 0]), title="Tent")
    cands = [_cand("bag2", 0.5, "Sleeping Bag"), _cand("lamp1", 0.5, "Lamp")]
    emb = _unit([[0, 1, 0], [0, 0, 1]])
    got = Ranker(_settings(tmp_path), association=rules).rank(
        cands, emb, k=2, diversity=0.0, profile=profile
    )
    assert got.ids == ["bag2", "lamp1"]
    assert got.items[0].reason_code == "bought_together"
    assert got.items[0].reason == "often bought with Tent: conf 1.00, lift 1.5"


def test_cold_start_is_popular_and_diverse(tmp_path):
    cands = [_cand(f"t{i}", 5.0 - i, "Tent") for i in range(3)] + [_cand("lamp", 0.0, "Lamp")]
    emb = np.array([[1, 0.01 * i, 0] for i in range(3)] + [[0, 0, 1]], dtype=np.float32)
    pop = Popularity(
        items={"t0": 9, "t1": 8, "t2": 7, "lamp": 3}, categories={"Tent": 24, "Lamp": 3}
    )
    got = Ranker(_settings(tmp_path), popularity=pop).cold_start(cands, emb, k=2, diversity=0.5)
    assert got.ids == ["t0", "lamp"]
    assert got.items[0].reason_code == "popular"


def test_every_item_has_a_known_reason_and_bad_input_fails(tmp_path):
    rng = np.random.default_rng(1)
    cands = [_cand(str(i), float(rng.uniform()), f"c{i % 5}") for i in range(50)]
    got = Ranker(_settings(tmp_path)).rank(cands, rng.normal(size=(50, 16)), k=10)
    assert len(got.items) == 10 and len(set(got.ids)) == 10
    assert all(i.reason_code in REASON_CODES and i.reason for i in got.items)
    with pytest.raises(UserError, match="diversity"):
        theta_for_diversity(1.5)
    with pytest.raises(ValueError, match="embeddings"):
        Ranker(_settings(tmp_path)).rank(cands, np.eye(3), k=3)


def test_fifty_candidates_take_a_few_ms(tmp_path):
    rng = np.random.default_rng(2)
    cands = [_cand(str(i), float(rng.uniform()), f"c{i % 7}") for i in range(50)]
    emb = rng.normal(size=(50, 384)).astype(np.float32)
    profile = UserProfile().update("x", "click", emb[3])
    ranker = Ranker(_settings(tmp_path))
    ranker.rank(cands, emb, k=10, profile=profile)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        ranker.rank(cands, emb, k=10, profile=profile)
        times.append(time.perf_counter() - t)
    assert float(np.median(times)) < 0.025  # typically ~2 ms; loose for a shared CI core


def test_warm_up_reads_popularity_and_rules_from_the_store(engine, tmp_path):
    from assistant.store.db import session_scope
    from assistant.store.models import ChatSession, Customer, InteractionEvent, Order, Product

    with session_scope(engine) as s:
        for pid, cat in [("tent1", "Tent"), ("bag1", "Sleeping Bag"), ("lamp1", "Lamp")]:
            s.add(Product(id=pid, group_id="g-" + cat, title=pid, price=1.0, category=cat))
        s.add(Customer(id="c1", email="c@x", first_name="C", last_name="One"))
        s.add(ChatSession(id="s1"))
        s.flush()
        items = [
            {"product_id": "g-Tent", "item_id": "tent1", "name": "Tent"},
            {"product_id": "g-Sleeping Bag", "item_id": "bag1", "name": "Sleeping Bag"},
        ]
        s.add(Order(id="o1", customer_id="c1", status="delivered", items=items))
        s.add(Order(id="o2", customer_id="c1", status="delivered", items=items[:1]))
        s.add(Order(id="o4", customer_id="c1", status="delivered", items=items))
        s.add(Order(id="o3", customer_id="c1", status="cancelled", items=items[1:]))
        s.add(InteractionEvent(session_id="s1", product_id="lamp1", kind="click"))
        s.add(InteractionEvent(session_id="s1", product_id="lamp1", kind="not_for_me"))
    with session_scope(engine) as s:
        ranker = Ranker(_settings(tmp_path)).warm_up(s)
    # tent1: 3 order lines; bag1: 2 (the cancelled order is skipped); lamp1: click 0.2
    assert dict(ranker.popularity.items) == pytest.approx({"tent1": 3.0, "bag1": 2.0, "lamp1": 0.2})
    assert dict(ranker.popularity.categories) == pytest.approx(
        {"Tent": 3.0, "Sleeping Bag": 2.0, "Lamp": 0.2}
    )
    # 3 orders: tent 3, bag 2, both 2 → tent → bag: confidence 2/3, lift (2/3)/(2/3) = 1
    (comp,) = ranker.association.complements(["tent1"], k=3)
    assert comp.label == "Sleeping Bag"
    assert (comp.rule.confidence, comp.rule.lift) == (pytest.approx(2 / 3), pytest.approx(1.0))
