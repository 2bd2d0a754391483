"""Concurrent turns on one conversation serialise: every turn counted, every message kept."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select

from assistant.store.db import session_factory
from assistant.store.models import ChatSession, Message


def test_simultaneous_turns_on_one_conversation_serialise(assistant):
    """Eight turns sent at once to one conversation: every one is counted and stored."""
    s = uuid.uuid4().hex
    assistant.turn("show me backpacks", s)
    errors: list[BaseException] = []

    def send(i):
        try:
            assistant.turn(f"under {60 + i}", s)
        except BaseException as err:  # noqa: BLE001 - asserted below
            errors.append(err)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:2]
    with session_factory(assistant.engine)() as db:
        assert db.get(ChatSession, s).state["turns"] == 9
        assert len(db.scalars(select(Message).where(Message.session_id == s)).all()) == 18
