"""A product stored with a huge attribute (imported before the catalogue's caps, or written
by other means) is shown without making a huge saved row: the dialogue state and the reply's
products keep every product but cut each text inside it to the import's cap. A real turn on
a small store with real indexes; the rows are read back from the database."""

from __future__ import annotations

import json

from sqlalchemy import select

from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Message, ModelVersion, Product
from retrieval.catalog.schema import MAX_ATTRIBUTE_VALUE_CHARS

HUGE = "waterproof " * 200_000  # 2.2 MB


def test_a_huge_attribute_does_not_make_a_huge_state_row(engine, aisle_home, dialogue_model):
    from assistant.service import Assistant
    from assistant.settings import Settings
    from retrieval.indexing import build_indexes

    settings = Settings(home=aisle_home, verify="identity")
    with session_scope(engine) as s:
        for i, (title, notes) in enumerate(
            [("Trail Water Bottle", HUGE), ("Steel Water Bottle", "keeps cold"), ("Glass Water Bottle", "")]
        ):
            s.add(Product(id=f"wb-{i}", title=title, category="Water Bottle", brand="Acme", price=10.0 + i,
                          available=True, attributes={"notes": notes, "color": "blue"},
                          description="A bottle for water."))
    build_indexes(settings, progress=False)
    folder = settings.models_dir / dialogue_model.version
    dialogue_model.save(folder)
    with session_scope(engine) as s:
        s.add(ModelVersion(id=dialogue_model.version, kind="dialogue", path=str(folder), status="live"))
    bot = Assistant(settings, model=dialogue_model).warm_up()

    first = bot.turn("show me water bottles", "bounded")
    second = bot.turn("tell me more about the first one", "bounded")
    assert "wb-0" in {p["id"] for p in first.products}
    for result in (first, second):
        assert len(json.dumps(result.products)) < 50_000
    with session_scope(engine) as s:
        chat = s.get(ChatSession, "bounded")
        state_size = len(json.dumps(chat.state))
        shown = {p["id"]: p for p in chat.state["last_shown"]}
        stored = [len(json.dumps(m.products)) for m in s.scalars(select(Message).where(Message.session_id == "bounded"))]
    assert state_size < 50_000, state_size  # was 2.2 MB: the state copies attributes every turn
    assert max(stored) < 50_000
    notes = shown["wb-0"]["attributes"]["notes"]
    assert len(notes) == MAX_ATTRIBUTE_VALUE_CHARS and notes.startswith("waterproof waterproof")
    assert shown["wb-1"]["attributes"] == {"notes": "keeps cold", "color": "blue"}  # small ones untouched
