"""The client address reaches the turn (the key of the verification back-off): the chat page
and the ``/chat`` API pass Gradio's ``request.client.host``; no request passes ``None``."""

from __future__ import annotations

import gradio as gr

from assistant.ui import app, chat, shopper


def test_chat_page_passes_the_client_address(scripted):
    request = gr.Request(client={"host": "203.0.113.9"})
    list(shopper.submit("trail shoe please", [], [], shopper.empty_browser(), 0.4, request))
    assert scripted.calls[-1]["client"] == "203.0.113.9"


def test_chat_api_passes_the_client_address(scripted):
    app.chat_endpoint("hello", None, gr.Request(client={"host": "198.51.100.4"}))
    assert scripted.calls[-1]["client"] == "198.51.100.4"
    app.chat_endpoint("hello again", None)
    assert scripted.calls[-1]["client"] is None


def test_client_address_of_odd_requests():
    assert chat.client_address(None) is None
    assert chat.client_address(gr.Request()) is None
    assert chat.client_address(gr.Request(client={"host": "x" * 500})) == "x" * 128
