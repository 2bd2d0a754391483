"""The generated corpus: reproducible, group-disjoint splits, every label covered."""

from __future__ import annotations

import re

import pytest

from assistant.nlu.corpus import build_corpus, split_of
from assistant.nlu.labels import INTENTS


@pytest.fixture(scope="module")
def corpus():
    return build_corpus()


def test_deterministic(corpus):
    again = build_corpus()
    assert again.hash == corpus.hash and again.train[:50] == corpus.train[:50]
    assert build_corpus(seed=99).hash != corpus.hash


def test_splits_do_not_share_groups_or_texts(corpus):
    groups = {name: {e.group for e in getattr(corpus, name)} for name in ("train", "dev", "test")}
    assert not groups["train"] & groups["test"] and not groups["train"] & groups["dev"]
    train_texts = {e.text.lower() for e in corpus.train}
    assert not train_texts & {e.text.lower() for e in corpus.test}
    for e in corpus.test[:200]:
        assert split_of(e.group) == "test"


def test_every_intent_in_train_and_test(corpus):
    assert {e.intent for e in corpus.train} == set(INTENTS)
    assert {e.intent for e in corpus.test} == set(INTENTS)


def test_spans_cover_their_values(corpus):
    slots = set()
    for e in corpus.train:
        for s in e.spans:
            value = e.text[s.start : s.end]
            assert value == value.strip() and value
            slots.add(s.slot)
            if s.slot == "email":
                assert "@" in value
            if s.slot in {"price_min", "price_max"}:
                assert re.search(r"\d", value)
    assert {
        "product",
        "color",
        "size",
        "price_min",
        "price_max",
        "order_id",
        "email",
        "name",
        "zip",
        "item_ref",
        "brand",
        "material",
        "option",
        "quantity",
        "category",
    } <= slots


def test_variety(corpus):
    shopping = [e.text for e in corpus.train if e.intent == "search_products"]
    assert len(set(shopping)) == len(shopping) > 300
    assert any(e.context for e in corpus.train) and any(e.context is None for e in corpus.train)
