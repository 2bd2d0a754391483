"""training_examples: corrected labels win, thumbs-up replies confirm the model's label."""

from __future__ import annotations

from assistant.feedback import TrainingExample, add_feedback, training_examples
from assistant.feedback.examples import CORRECTION_REPEATS
from tests.feedback.conftest import add_turns


def test_corrected_and_confirmed_examples(db):
    ids = add_turns(
        db,
        "s1",
        [
            ("user", "hi there", "greeting"),
            ("assistant", "Hello!", "greeting"),
            ("user", "my parcel never came, Noah Brown here", "search_products"),
            ("assistant", "Here are parcels", "search_products"),
            ("user", "show me boots", "search_products"),
            ("assistant", "Boots!", "search_products"),
        ],
    )
    add_feedback(db, ids[1], rating="up")
    add_feedback(db, ids[3], rating="down", correction="complaint")
    add_feedback(db, ids[3], corrected_intent="track_order", author="agent")  # latest wins
    add_feedback(db, ids[5], rating="down")  # disliked, uncorrected: no example
    got = sorted(training_examples(db, corrected_repeats=1), key=lambda e: e["text"])
    assert got == [
        TrainingExample(
            text="hi there",
            intent="greeting",
            context=None,
            previous_intent=None,
            previous_text=None,
            source="confirmed",
        ),
        TrainingExample(
            text="my parcel never came, [NAME] [NAME] here",
            intent="track_order",
            context="Hello!",
            previous_intent="greeting",
            previous_text="hi there",
            source="corrected",
        ),
    ]


def test_correction_beats_confirmation_of_same_text(db):
    a = add_turns(
        db, "a", [("user", "Cancel it", "deny"), ("assistant", "OK, not doing it", "deny")]
    )
    b = add_turns(db, "b", [("user", "cancel  it", "deny"), ("assistant", "OK", "deny")])
    add_feedback(db, a[1], correction="cancel_order")
    add_feedback(db, b[1], rating="up")
    got = training_examples(db, corrected_repeats=1)
    assert [(e["intent"], e["source"]) for e in got] == [("cancel_order", "corrected")]
    assert training_examples(db, include_confirmed=False)[0]["intent"] == "cancel_order"


def test_examples_are_what_the_dialogue_trainer_reads(db):
    corpus = __import__("pytest").importorskip("assistant.nlu.corpus")
    ids = add_turns(
        db,
        "s",
        [
            ("user", "where's my stuff", "search_products"),
            ("assistant", "Boots?", "search_products"),
        ],
    )
    add_feedback(db, ids[1], correction="track_order")
    (example,) = [
        corpus.coerce_example(e, source="feedback")
        for e in training_examples(db, corrected_repeats=1)
    ]
    assert (example.text, example.intent, example.source) == (
        "where's my stuff",
        "track_order",
        "feedback",
    )


def test_intent_stored_on_the_reply_only(db):
    # The service writes the understood intent on the assistant message, not the user message.
    ids = add_turns(
        db,
        "s",
        [
            ("user", "hello", None),
            ("assistant", "Hi!", "greeting"),
            ("user", "where is it", None),
            ("assistant", "Boots?", "search_products"),
        ],
    )
    add_feedback(db, ids[1], rating="up")
    add_feedback(db, ids[3], correction="track_order")
    got = {
        e["text"]: (e["intent"], e["previous_intent"], e["source"])
        for e in training_examples(db, corrected_repeats=1)
    }
    assert got == {
        "hello": ("greeting", None, "confirmed"),
        "where is it": ("track_order", "greeting", "corrected"),
    }


def test_corrections_are_oversampled(db):
    ids = add_turns(
        db,
        "s",
        [
            ("user", "hello", None),
            ("assistant", "Hi!", "greeting"),
            ("user", "where is it", None),
            ("assistant", "Boots?", "search_products"),
        ],
    )
    add_feedback(db, ids[1], rating="up")
    add_feedback(db, ids[3], correction="track_order")
    sources = sorted(e["source"] for e in training_examples(db, corrected_repeats=3))
    assert sources == ["confirmed", "corrected", "corrected", "corrected"]
    assert len(training_examples(db)) == 1 + CORRECTION_REPEATS
