"""Fixtures: a database with two customers, a few conversations and products."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session


@pytest.fixture()
def db(engine):
    """An open session on a fresh schema with two customers and three products."""
    from assistant.store.models import Customer, Product

    with Session(engine) as s:
        s.add_all(
            [
                Customer(
                    id="noah_brown_6181",
                    email="noah.brown7922@example.com",
                    first_name="Noah",
                    last_name="Brown",
                    address={"address1": "986 Sunset Drive", "address2": "Suite 259"},
                ),
                Customer(
                    id="yusuf_rossi_9620",
                    email="yusuf.rossi7301@example.com",
                    first_name="Yusuf",
                    last_name="Rossi",
                ),
                Product(id="p1", title="Running Shoes", brand="Fleet", price=80.0),
                Product(id="p2", title="Trail Boots", brand="Peak", price=120.0),
                Product(id="p3", title="Sandals", brand="Sun", price=30.0),
            ]
        )
        s.flush()
        yield s
        s.rollback()


def add_turns(s: Session, session_id: str, turns: list[tuple], model_version: str | None = None):
    """Write a conversation: turns are (role, text, intent) or (role, text, intent, draft[, products])."""
    from assistant.store.models import ChatSession, Message

    s.add(ChatSession(id=session_id, model_version=model_version))
    s.flush()
    ids = []
    for turn in turns:
        role, text, intent = turn[:3]
        draft = turn[3] if len(turn) > 3 else None
        products = turn[4] if len(turn) > 4 else []
        m = Message(
            session_id=session_id,
            role=role,
            text=text,
            intent=intent,
            draft=draft,
            products=products,
        )
        s.add(m)
        s.flush()
        ids.append(m.id)
    return ids
