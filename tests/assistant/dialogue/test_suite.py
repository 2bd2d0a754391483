"""The conversation suite (data/eval/conversations) with the real dialogue model.

Four stores: the demo store and three catalogues the project never saw (``homegarden``,
``petshop``, ``cyclestore``), each imported through its own column map with no code or configuration for it. Every turn is checked
against the store's data (``assistant.dialogue.suite.check_turn``). The floors sit below the measured pass rates
(dev 95.4% on 490 conversations, held-out 92.7% on 178 with the shipped corpus; training
on another machine can move them by a point; benchmarks/conversations.py reports the full
figures): a change that makes conversations clearly worse fails here.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.dialogue.suite import SUITE_DIR, check_turn, load_conversations, run_suite

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def suite_root(tmp_path_factory):
    return tmp_path_factory.mktemp("suite")


def test_checker_against_a_hand_made_turn():
    prev = [{"id": "a", "product_id": "A", "price": 10.0}, {"id": "b", "product_id": "B", "price": 5.0}]
    out = SimpleNamespace(action="product_question", reply="The cheapest is B at $5.00",
                          products=[{"id": "b", "product_id": "B", "category": "Mug", "price": 5.0, "options": {"color": "red"}}])
    checks = dict((k, ok) for k, ok, _ in check_turn(
        {"route": "shopping", "refers_to": ["cheapest"], "types": ["mug"], "options": {"color": ["Red"]},
         "not_options": {"color": ["red"]}, "price_max": 4, "reply_has": ["$5.00"], "reply_lacks": ["$10"]}, out, prev))
    assert checks == {"route": True, "refers_to": True, "types": True, "options": True, "not_options": False,
                      "price_max": False, "reply_has": True, "reply_lacks": True}


@pytest.mark.parametrize(("split", "floor"), [("dev", 0.91), ("test", 0.87)])
def test_conversation_suite_pass_rate(dialogue_model, suite_root, split, floor):
    files = sorted(SUITE_DIR.glob(f"*_{split}.jsonl"))
    conversations = load_conversations(files)
    assert len(conversations) >= (50 if split == "dev" else 110)
    assert {c["store"] for c in conversations} == {"demo", "homegarden", "petshop", "cyclestore"}
    result = run_suite(conversations, root=suite_root, model=dialogue_model)
    summary = result.summary()
    failed = [f"{c.conversation}#{c.turn} {c.key}: {c.detail}" for c in result.checks if not c.ok][:15]
    assert summary["pass_rate"] >= floor, (summary["per_kind"], failed)
