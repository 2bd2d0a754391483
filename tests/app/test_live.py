"""``gradio_client`` holds a conversation through ``/chat`` on the real app (``aisle serve``)."""

from __future__ import annotations

import pytest

from assistant.types import TurnResult
from assistant.ui.tokens import conversation_id

pytestmark = pytest.mark.slow

FIELDS = set(TurnResult.__dataclass_fields__)


def test_chat_endpoint_on_the_real_app(live_server):
    from gradio_client import Client

    client = Client(live_server.url, verbose=False)
    first = client.predict("hi, I need a water bottle", None, api_name="/chat")
    assert set(first) == FIELDS and first["session_id"] and first["reply"]
    second = client.predict("a cheaper one please", first["session_id"], api_name="/chat")
    assert (
        second["session_id"] == first["session_id"] and second["message_id"] > first["message_id"]
    )
    for product in first["products"] + second["products"]:
        assert {"id", "title", "price", "available", "score", "reason"} <= set(product)
    # the second turn really continued the first: both messages are in one stored session
    from sqlalchemy import create_engine, text

    engine = create_engine(live_server.db_url)
    with engine.connect() as conn:
        texts = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT text FROM messages WHERE session_id = :s AND role = 'user' ORDER BY id"
                ),
                {"s": conversation_id(first["session_id"])},  # the token's hash
            )
        ]
    engine.dispose()
    assert texts == ["hi, I need a water bottle", "a cheaper one please"]
