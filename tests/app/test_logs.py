"""JSON logs (``AISLE_LOG_FORMAT=json``): a turn's log line carries its request id and session
id, read back by parsing the line; the request id also goes back in ``X-Request-ID``."""

from __future__ import annotations

import io
import json
import logging

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from assistant import logs
from assistant.settings import get_settings
from assistant.ui import chat, server, tokens


@pytest.fixture()
def json_lines():
    """The app's log records as JSON lines (``JsonFormatter``), INFO and up; a list of dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.make_formatter("json"))
    target = logging.getLogger("assistant")
    old_level = target.level
    target.addHandler(handler)
    target.setLevel(logging.INFO)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield read
    target.removeHandler(handler)
    target.setLevel(old_level)


@pytest.fixture()
def client(scripted):
    chat.warm_up()
    with gr.Blocks() as demo:
        gr.Markdown("test")
    app = server.build_app(demo, get_settings(), host="127.0.0.1", port=7860)
    with TestClient(app) as test_client:
        yield test_client


def turn_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["message"] == "turn answered"]


def test_a_v1_turn_logs_its_request_and_session_ids(client, json_lines):
    response = client.post(
        "/v1/chat", json={"message": "any shoe?"}, headers={"X-Request-ID": "req-42"}
    )
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-42"
    [line] = turn_lines(json_lines())
    conversation = tokens.conversation_id(response.json()["session_id"])
    assert line["request_id"] == "req-42" and line["session_id"] == conversation
    assert line["level"] == "INFO" and line["logger"] == "assistant.ui.chat"
    assert line["route"] == "v1_chat" and line["action"] == "search"
    assert line["intent"] == "search_products" and line["latency_ms"] >= 0
    assert line["time"].endswith("Z")
    assert response.json()["session_id"] not in json.dumps(line)  # the token itself is never logged


def test_every_request_gets_a_request_id(client, json_lines):
    first = client.post("/v1/chat", json={"message": "hello"})
    bad = client.post("/v1/chat", json={"message": "hi"}, headers={"X-Request-ID": "no spaces ok?"})
    assert client.get("/healthz").headers["x-request-id"]
    ids = [first.headers["x-request-id"], bad.headers["x-request-id"]]
    assert len(set(ids)) == 2 and "no spaces ok?" not in ids  # an unsafe id is replaced
    assert [line["request_id"] for line in turn_lines(json_lines())] == ids


def test_a_turn_outside_http_gets_a_request_id_of_its_own(scripted, json_lines):
    chat.warm_up()
    chat.shopper_turn("hello", "conversation-1")
    chat.shopper_turn("hello again", "conversation-1")
    lines = turn_lines(json_lines())
    assert [line["session_id"] for line in lines] == ["conversation-1", "conversation-1"]
    assert [line["route"] for line in lines] == ["page", "page"]
    assert len({line["request_id"] for line in lines}) == 2
    assert logs.request_id.get() is None and logs.session_id.get() is None  # context reset


def test_json_formatter_carries_extras_and_the_exception():
    record = logging.LogRecord(
        "assistant.x", logging.ERROR, __file__, 1, "failed %s", ("once",), None
    )
    record.order = "#W1"
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    with logs.log_context(session="s-1"):
        line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "failed once" and line["session_id"] == "s-1"
    assert line["order"] == "#W1" and "request_id" not in line
    assert "ValueError: bad" in line["exception"]


def test_log_format_setting(monkeypatch):
    from pydantic import ValidationError

    from assistant.settings import Settings

    monkeypatch.setenv("AISLE_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    monkeypatch.setenv("AISLE_LOG_FORMAT", "yaml")
    with pytest.raises(ValidationError):
        Settings()
    assert isinstance(logs.make_formatter("json"), logs.JsonFormatter)
    assert logs.make_formatter("text")._fmt == logs.TEXT_FORMAT
