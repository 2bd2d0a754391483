"""add_feedback validates its input and writes one Feedback row."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from assistant.feedback import add_feedback
from assistant.store.models import Feedback
from tests.feedback.conftest import add_turns


def test_rating_and_reason_are_stored(db):
    _, bot = add_turns(db, "s1", [("user", "hi", "greeting"), ("assistant", "Hello!", "greeting")])
    row = add_feedback(db, bot, rating="UP", reason="friendly", author="shopper")
    stored = db.get(Feedback, row.id)
    assert (stored.rating, stored.reason, stored.author) == ("up", "friendly", "shopper")
    assert stored.correction is None and stored.corrected_intent is None


def test_intent_label_correction_becomes_corrected_intent(db):
    _, bot = add_turns(
        db,
        "s1",
        [
            ("user", "where is my parcel", "search_products"),
            ("assistant", "Here are parcels", "search_products"),
        ],
    )
    row = add_feedback(db, bot, rating="down", correction="track_order")
    assert row.corrected_intent == "track_order" and row.correction is None


def test_text_correction_is_a_reply(db):
    _, bot = add_turns(db, "s1", [("user", "hi", "greeting"), ("assistant", "Bye", "greeting")])
    row = add_feedback(db, bot, correction="Hello! How can I help?")
    assert row.correction == "Hello! How can I help?" and row.corrected_intent is None


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"message_id": 999, "rating": "up"}, "does not exist"),
        ({"rating": "meh"}, "rating"),
        ({"rating": "up", "author": "robot"}, "author"),
        ({"corrected_intent": "fly_to_moon"}, "not an intent label"),
        ({}, "no feedback given"),
    ],
)
def test_bad_input_raises_user_error(db, kwargs, fragment):
    _, bot = add_turns(db, "s1", [("user", "hi", "greeting"), ("assistant", "Hello", "greeting")])
    kwargs = {"message_id": bot, **kwargs}
    with pytest.raises(UserError, match=fragment):
        add_feedback(db, **kwargs)


def test_feedback_on_a_user_message_is_refused(db):
    user, _ = add_turns(db, "s1", [("user", "hi", "greeting"), ("assistant", "Hello", "greeting")])
    with pytest.raises(UserError, match="user message"):
        add_feedback(db, user, rating="up")


@pytest.mark.parametrize("field", ["reason", "correction"])
def test_oversized_free_text_is_refused_and_nothing_is_written(db, field):
    from sqlalchemy import func, select

    _, bot = add_turns(db, "s9", [("user", "hi", "greeting"), ("assistant", "Hello!", "greeting")])
    before = db.scalar(select(func.count()).select_from(Feedback))
    with pytest.raises(UserError, match="at most"):
        add_feedback(db, bot, rating="down", **{field: "x" * 100_000})
    assert db.scalar(select(func.count()).select_from(Feedback)) == before
    add_feedback(db, bot, rating="down", **{field: "too slow"})  # a normal one still goes in
