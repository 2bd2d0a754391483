"""Replaying labelled messages: metrics by hand, corrections stored where the intent is wrong."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from assistant.feedback import training_examples
from assistant.feedback.replay import Labelled, label_metrics, read_labelled, replay_corrections
from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Feedback, Message
from assistant.types import TurnResult


def test_label_metrics_by_hand():
    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "b"]
    # a: tp1 fn1 -> 2/3; b: tp1 fp2 -> 2/4; c: tp0 -> 0. macro = (2/3 + 1/2 + 0) / 3
    got = label_metrics(gold, pred)
    assert got["accuracy"] == 0.5 and got["n"] == 4
    assert got["macro_f1"] == pytest.approx((2 / 3 + 0.5) / 3)


def test_read_labelled_tsv_and_splits(tmp_path):
    path = tmp_path / "l.tsv"
    path.write_text("# comment\ngreeting\thi\ntrack_order\twhere is it\n")
    items = read_labelled(path)
    assert items == [Labelled("hi", "greeting"), Labelled("where is it", "track_order")]
    parts = read_labelled(path, "feedback") + read_labelled(path, "heldout")
    assert sorted(parts, key=lambda x: x.text) == sorted(items, key=lambda x: x.text)
    path.write_text("flying\thi\n")
    with pytest.raises(Exception, match="needs an intent label"):
        read_labelled(path)


class KeywordAssistant:
    """A stand-in assistant that stores each turn and says 'greeting' for everything."""

    def turn(self, message: str, session_id: str | None = None) -> TurnResult:
        sid = session_id or uuid.uuid4().hex
        with session_scope() as s:
            s.add(ChatSession(id=sid))
            s.flush()
            s.add(Message(session_id=sid, role="user", text=message))
            reply = Message(session_id=sid, role="assistant", text="Hello!", intent="greeting")
            s.add(reply)
            s.flush()
            return TurnResult(sid, reply.id, "Hello!", "greeting", 0.9)


def test_replay_stores_corrections_that_training_examples_read(engine):
    items = [Labelled("hi", "greeting"), Labelled("where's my parcel", "track_order")]
    report = replay_corrections(items, assistant=KeywordAssistant(), progress=False)
    assert (report.turns, report.corrected, report.accuracy) == (2, 1, 0.5)
    assert report.corrections[0]["predicted"] == "greeting"
    with session_scope() as s:
        rows = s.scalars(select(Feedback)).all()
        assert [(r.rating, r.corrected_intent, r.author) for r in rows] == [
            ("down", "track_order", "agent")
        ]
        examples = training_examples(s, include_confirmed=False, corrected_repeats=1)
    assert [(e["text"], e["intent"]) for e in examples] == [("where's my parcel", "track_order")]
