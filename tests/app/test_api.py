"""The ``/chat`` API through ``gradio_client`` against a live local server (scripted assistant)."""

from __future__ import annotations

import pytest

from assistant.store.db import session_scope
from assistant.store.models import ChatSession
from assistant.ui import tokens


@pytest.fixture()
def server(scripted_server):
    return scripted_server[0]


def test_gradio_client_holds_a_conversation(server, scripted):
    from gradio_client import Client

    client = Client(server, verbose=False)
    first = client.predict("hello", None, api_name="/chat")
    assert set(first) == {
        "session_id",
        "message_id",
        "reply",
        "intent",
        "confidence",
        "slots",
        "action",
        "products",
        "handoff",
        "understood_by",
    }
    assert first["reply"] == "You said: hello" and first["products"] == []
    second = client.predict("any shoe?", first["session_id"], api_name="/chat")
    assert (
        second["session_id"] == first["session_id"] and second["message_id"] > first["message_id"]
    )
    assert [p["id"] for p in second["products"]] == ["p1", "p2"]
    # the answer's session_id is the conversation's token; the store knows only its hash
    assert tokens.is_issued(first["session_id"])
    conversation = tokens.conversation_id(first["session_id"])
    assert [c["session_id"] for c in scripted.calls] == [conversation, conversation]
    with session_scope() as s:
        assert s.get(ChatSession, first["session_id"]) is None
        assert s.get(ChatSession, conversation) is not None
    # the UI's own handlers (agent actions included) are not callable through the API
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/chat"}
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", None, api_name="/chat")
