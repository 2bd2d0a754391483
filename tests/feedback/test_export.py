"""Exports: hand-built conversations, expected records written out by hand."""

from __future__ import annotations

import json

from assistant.feedback import add_feedback, build_records, export_feedback
from assistant.store.models import InteractionEvent
from tests.feedback.conftest import add_turns


def _conversations(db):
    # s1: a bot reply corrected (intent and text), then an agent edit of a draft.
    ids1 = add_turns(
        db,
        "s1",
        [
            ("user", "where is my parcel? I'm Noah Brown", "search_products"),
            ("assistant", "Here are some parcels.", "search_products"),
            ("user", "order #W7678072, email noah.brown7922@example.com", "provide_info"),
            ("agent", "It ships tomorrow, Noah.", "provide_info", "It was delivered."),
        ],
    )
    add_feedback(db, ids1[1], rating="down", correction="track_order", author="agent")
    add_feedback(db, ids1[1], correction="Let me look up your order.", author="agent")
    # s2 and s3: same opening, one reply liked, one disliked.
    ids2 = add_turns(
        db, "s2", [("user", "Hello", "greeting"), ("assistant", "Hi! How can I help?", "greeting")]
    )
    ids3 = add_turns(
        db,
        "s3",
        [
            ("user", "hello", "greeting"),
            ("assistant", "What.", "greeting"),
            ("user", "bye", "goodbye"),
            ("assistant", "Bye!", "goodbye"),
        ],
    )
    add_feedback(db, ids2[1], rating="up")
    add_feedback(db, ids3[1], rating="down")
    # s4: shown p1 and p2; p2 not for me, p1 bought.
    shown = [{"id": "p1"}, {"id": "p2"}]
    ids4 = add_turns(
        db,
        "s4",
        [
            ("user", "shoes for running", "search_products"),
            ("assistant", "Two options.", "search_products", None, shown),
        ],
    )
    db.add_all(
        [
            InteractionEvent(session_id="s4", product_id="p2", kind="not_for_me"),
            InteractionEvent(session_id="s4", product_id="p1", kind="purchase"),
            InteractionEvent(session_id="s4", product_id="p3", kind="view"),
        ]
    )
    db.flush()
    return ids1, ids2, ids3, ids4


def test_sft_uses_final_sent_texts_and_scrubs(db):
    _conversations(db)
    records = build_records(db, "sft")
    assert records[0] == {
        "messages": [
            {"role": "user", "content": "where is my parcel? I'm [NAME] [NAME]"},
            {"role": "assistant", "content": "Let me look up your order."},
            {"role": "user", "content": "order [ORDER], email [EMAIL]"},
            {"role": "assistant", "content": "It ships tomorrow, [NAME]."},
        ]
    }
    assert records[1]["messages"][-1]["content"] == "Hi! How can I help?"
    # s3 is cut before its disliked first reply: nothing left, so no record.
    assert len(records) == 3
    assert records[2]["messages"][-1]["content"] == "Two options."


def test_dpo_pairs_from_every_source(db):
    _conversations(db)
    records = build_records(db, "dpo")
    by_source = {}
    for r in records:
        by_source.setdefault(r["source"], []).append(r)
    assert sorted(by_source) == ["agent_edit", "correction", "product", "rating"]
    corr = by_source["correction"][0]
    assert corr["chosen"] == [{"role": "assistant", "content": "Let me look up your order."}]
    assert corr["rejected"] == [{"role": "assistant", "content": "Here are some parcels."}]
    edit = by_source["agent_edit"][0]
    assert edit["chosen"][0]["content"] == "It ships tomorrow, [NAME]."
    assert edit["rejected"][0]["content"] == "It was delivered."
    assert [m["role"] for m in edit["prompt"]] == ["user", "assistant", "user"]
    assert edit["prompt"][1]["content"] == "Let me look up your order."
    rating = by_source["rating"][0]
    assert rating["prompt"] == [{"role": "user", "content": "hello"}]
    assert (rating["chosen"][0]["content"], rating["rejected"][0]["content"]) == (
        "Hi! How can I help?",
        "What.",
    )
    product = by_source["product"][0]
    assert product["prompt"] == [{"role": "user", "content": "shoes for running"}]
    assert "Running Shoes" in product["chosen"][0]["content"]
    assert "Trail Boots" in product["rejected"][0]["content"]
    assert len(records) == 4


def test_intents_export_and_file(db, tmp_path):
    _conversations(db)
    report = export_feedback(db, "intents", tmp_path / "out" / "intents.jsonl")
    lines = (tmp_path / "out" / "intents.jsonl").read_text().splitlines()
    assert report.records == 1 and len(lines) == 1
    assert json.loads(lines[0]) == {
        "text": "where is my parcel? I'm [NAME] [NAME]",
        "intent": "track_order",
        "previous_intent": None,
    }


def test_exported_files_load_with_datasets(db, tmp_path):
    datasets = __import__("pytest").importorskip("datasets")
    _conversations(db)
    for fmt in ("sft", "dpo", "intents"):
        path = tmp_path / f"{fmt}.jsonl"
        export_feedback(db, fmt, path)
        ds = datasets.load_dataset("json", data_files=str(path), split="train")
        assert len(ds) == len(path.read_text().splitlines())
