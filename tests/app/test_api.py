"""The ``/chat`` API through ``gradio_client`` against a live local server (scripted assistant)."""

from __future__ import annotations

import socket

import pytest

from assistant.cli.serve_cmds import load_app_module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def server(scripted):
    module = load_app_module()
    port = free_port()
    running = module.launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield running.url
    running.close()


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
    }
    assert first["reply"] == "You said: hello" and first["products"] == []
    second = client.predict("any shoe?", first["session_id"], api_name="/chat")
    assert (
        second["session_id"] == first["session_id"] and second["message_id"] > first["message_id"]
    )
    assert [p["id"] for p in second["products"]] == ["p1", "p2"]
    assert [c["session_id"] for c in scripted.calls] == [None, first["session_id"]]
    # the UI's own handlers (agent actions included) are not callable through the API
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/chat"}
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", None, api_name="/chat")
