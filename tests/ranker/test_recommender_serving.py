"""The trained recommender behind the shopper's profile and the ranker's personal score."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from assistant.settings import Settings
from ranker.profile import UserProfile
from ranker.recommender import Recommender
from ranker.sequential import ItemVocab, SASRecConfig, leave_one_out, train_sasrec
from ranker.service import REASON_CODES, Ranker
from retrieval.types import Candidate

ITEMS = [f"p{j}" for j in range(8)]
TITLES = {p: f"Product {p[1:]}" for p in ITEMS}


@pytest.fixture(scope="module")
def recommender() -> Recommender:
    """Trained on shoppers walking p0 -> p1 -> ... -> p7 -> p0."""
    torch.manual_seed(0)
    rnd = random.Random(0)
    vocab = ItemVocab(ITEMS)
    seqs = {}
    for u in range(100):
        start = rnd.randrange(8)
        seqs[f"u{u}"] = [(start + j) % 8 + 1 for j in range(6)]
    split = leave_one_out(seqs)
    cfg = SASRecConfig(hidden=16, layers=1, max_len=8, dropout=0.0, lr=1e-2, max_epochs=30)
    model, _ = train_sasrec(split, 8, cfg)
    popularity = [0.0, 1, 1, 1, 9, 1, 1, 1, 5]  # p3 then p7 most popular
    return Recommender(model, vocab, {"popularity": popularity, "version": "rec-test"})


def test_recommend_follows_the_history_with_a_reason(recommender):
    history = [("p1", "purchase"), ("p2", "view")]
    recs = recommender.recommend(history, k=3, titles=TITLES)
    assert recs[0]["id"] == "p3"
    assert all(r["reason"].startswith("because you ") for r in recs)
    assert recs[0]["because"] in {"p1", "p2"}
    verb = {"p1": "bought", "p2": "looked at"}[recs[0]["because"]]
    assert recs[0]["reason"] == f"because you {verb} {TITLES[recs[0]['because']]}"
    # the profile moves with the session: one more click and the next item follows it
    recs = recommender.recommend([*history, ("p3", "click")], k=1, titles=TITLES)
    assert recs[0]["id"] == "p4"
    assert recommender.recommend(history, k=2, exclude=("p3",))[0]["id"] != "p3"


def test_a_shopper_with_no_known_history_gets_popular_items(recommender):
    for history in ([], [("unknown", "purchase")]):
        recs = recommender.recommend(history, k=2)
        assert [r["id"] for r in recs] == ["p3", "p7"]
        assert {r["reason"] for r in recs} == {"popular with shoppers"}


def test_scores_are_scaled_to_the_best_item(recommender):
    scores = recommender.scores(["p5", "p6"])
    assert set(scores) == set(ITEMS)
    assert max(scores.values()) == pytest.approx(1.0)
    assert max(scores, key=scores.get) == "p7"
    assert recommender.scores(["nope"]) is None


def test_the_ranker_personal_score_comes_from_the_recommender(recommender, tmp_path):
    settings = Settings(home=tmp_path / "home", device="cpu")
    ranker = Ranker(settings)
    cands = [Candidate(p, TITLES[p], "Tent", None, 10.0, True, 1.0) for p in ITEMS]
    emb = np.eye(8, dtype=np.float32)  # content says nothing: every item is as far as the next
    history = (("p4", "purchase"), ("p5", "add_to_cart"))
    profile = replace(
        UserProfile(),
        history=history,
        titles=TITLES,
        next_item=recommender.scores([p for p, _ in history]),
        recommender=recommender,
    )
    ranked = ranker.rank(cands, emb, k=3, diversity=0.0, profile=profile)
    first = ranked.items[0]
    assert first.candidate.id == "p6"
    assert first.reason_code == "next_item" and "next_item" in REASON_CODES
    assert first.reason.startswith("because you ")
    # without the recommender the same candidates tie and keep their order
    plain = ranker.rank(cands, emb, k=3, diversity=0.0, profile=None)
    assert [i.candidate.id for i in plain.items] == ["p0", "p1", "p2"]


def test_store_sequences_training_and_the_live_profile(engine):
    from datetime import datetime, timedelta

    from assistant.store.db import session_scope
    from assistant.store.models import Customer, InteractionEvent, Order, Product
    from ranker.profile import load_profile
    from ranker.recommender import store_sequences, train_recommender

    t0 = datetime(2026, 1, 1)
    rnd = random.Random(1)
    with session_scope(engine) as s:
        for p in ITEMS:
            s.add(Product(id=p, title=TITLES[p], price=1.0, category="cat"))
        for c in range(60):
            s.add(Customer(id=f"c{c}", email=f"c{c}@x", first_name="C", last_name=str(c)))
        s.flush()
        for c in range(60):
            start = rnd.randrange(8)
            walk = [ITEMS[(start + j) % 8] for j in range(6)]
            # the first three in one order, then a cancelled order, then three events
            s.add(
                Order(
                    id=f"o{c}",
                    customer_id=f"c{c}",
                    status="delivered",
                    updated_at=t0,
                    items=[{"item_id": p, "product_id": "g"} for p in walk[:3]],
                )
            )
            s.add(
                Order(
                    id=f"x{c}",
                    customer_id=f"c{c}",
                    status="cancelled",
                    updated_at=t0,
                    items=[{"item_id": "p0", "product_id": "g"}],
                )
            )
            for j, p in enumerate(walk[3:]):
                kind = ("click", "add_to_cart", "purchase")[j]
                s.add(
                    InteractionEvent(
                        user_id=f"c{c}",
                        product_id=p,
                        kind=kind,
                        created_at=t0 + timedelta(hours=j + 1),
                    )
                )
            s.add(
                InteractionEvent(
                    user_id=f"c{c}",
                    product_id="p0",
                    kind="not_for_me",
                    created_at=t0 + timedelta(hours=9),
                )
            )
    with session_scope(engine) as s:
        seqs = store_sequences(s)
        first_walk = seqs["c0"]
    assert len(seqs) == 60 and all(len(v) == 6 for v in seqs.values())
    # oldest first, the order before the events, cancelled orders and "not for me" left out
    start = int(first_walk[0][1:])
    assert first_walk[:6] == [ITEMS[(start + j) % 8] for j in range(6)]
    # one head: two 8-wide heads of this 16-wide model do not learn the walk in 25 epochs
    cfg = SASRecConfig(hidden=16, layers=1, heads=1, max_len=8, dropout=0.0, lr=1e-2, max_epochs=25)
    result = train_recommender(config=cfg)
    assert result["promoted"]
    with session_scope(engine) as s:
        profile = load_profile(s, user_id="c0", embeddings_fn=lambda ids: np.eye(8)[: len(ids)])
    assert profile.recommender is not None and profile.recommender.version == result["version"]
    assert [p for p, _ in profile.history] == first_walk[:6]
    last = int(first_walk[5][1:])
    assert max(profile.next_item, key=profile.next_item.get) == ITEMS[(last + 1) % 8]
    assert profile.next_item_reason(ITEMS[(last + 1) % 8]).startswith("because you ")
    # the shopper-facing list: grounded in the history, bought items left out
    from ranker.recommender import recommend_for_user

    out = recommend_for_user("c0", k=2)
    assert out["known"] and out["version"] == result["version"]
    first = out["recommendations"][0]
    assert first["id"] == ITEMS[(last + 1) % 8] and first["title"] == TITLES[first["id"]]
    bought = {p for p, kind in profile.history if kind == "purchase"}
    assert not bought & {r["id"] for r in out["recommendations"]}
    assert all(r["reason"].startswith("because you ") for r in out["recommendations"])
    stranger = recommend_for_user("nobody", k=2)
    assert not stranger["known"]
    assert {r["reason"] for r in stranger["recommendations"]} == {"popular with shoppers"}
