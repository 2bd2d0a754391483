"""An agent's message wakes the waiting shopper: ``GET /v1/chat/messages?wait=`` and the chat
page's timer (``shopper.watch``), both through ``assistant.notify`` (SQLite here: the local
notifier; tests/assistant/test_notify.py covers PostgreSQL and Redis, tests/app/test_replicas.py
two processes)."""

from __future__ import annotations

import asyncio
import threading
import time

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from assistant import notify
from assistant.ui import agent_view, shopper, tokens


@pytest.fixture(autouse=True)
def fresh_notifier():
    notify.get_notifier.cache_clear()
    yield
    notify.get_notifier.cache_clear()


@pytest.fixture()
def client(scripted, v1_app):
    with TestClient(v1_app) as test_client:
        yield test_client


def _agent_sends(sid: str, text: str, as_agent, delay: float) -> threading.Timer:
    def send() -> None:
        agent_view.take_over(sid, as_agent)
        agent_view.send(sid, text, None, as_agent)

    timer = threading.Timer(delay, send)
    timer.start()
    return timer


def test_messages_api_reads_and_waits(client, staff_request):
    turn = client.post("/v1/chat", json={"message": "any shoe?"}).json()
    token, reply_id = turn["session"], turn["message_id"]
    answer = client.get("/v1/chat/messages", params={"session": token})
    assert answer.status_code == 200
    listed = answer.json()["messages"]
    assert [m["role"] for m in listed] == ["user", "assistant"] and listed[-1]["id"] == reply_id
    assert client.get("/v1/chat/messages", params={"session": token, "after": reply_id}).json() == {
        "session": token,
        "messages": [],
    }
    started = time.perf_counter()
    quiet = client.get(
        "/v1/chat/messages", params={"session": token, "after": reply_id, "wait": 0.5}
    )
    assert quiet.json()["messages"] == [] and 0.4 < time.perf_counter() - started < 3

    sid = tokens.conversation_id(token)
    _agent_sends(sid, "Hello, Sam here.", staff_request("agent"), 0.3)
    started = time.perf_counter()
    woken = client.get(
        "/v1/chat/messages", params={"session": token, "after": reply_id, "wait": 10}
    )
    seconds = time.perf_counter() - started
    assert [(m["role"], m["text"]) for m in woken.json()["messages"]] == [
        ("agent", "Hello, Sam here.")
    ]
    assert seconds < 1.5  # woken by the publish, not the 2 s re-read or the 10 s limit


def test_messages_api_refuses_tokens_it_did_not_issue(client):
    answer = client.get("/v1/chat/messages", params={"session": "made.up", "wait": 5})
    assert answer.status_code == 403 and "session" in answer.json()["error"]
    too_long = client.get("/v1/chat/messages", params={"session": tokens.issue(), "wait": 31})
    assert too_long.status_code == 422 and "wait" in too_long.json()["error"]


def test_the_chat_page_timer_waits_for_the_agent(scripted, staff_request):
    token = tokens.issue()
    browser, request = shopper.empty_browser(), gr.Request(cookies={tokens.COOKIE: token})
    steps = list(shopper.submit("I need help", [], [], browser, 0.3, request))
    ids = steps[-1][2]
    sid = tokens.conversation_id(token)
    _agent_sends(sid, "Hi, I am on it.", staff_request("agent"), 0.3)
    started = time.perf_counter()
    messages, new_ids = asyncio.run(shopper.watch(browser, ids, request))
    assert time.perf_counter() - started < 1.5
    assert messages[-1]["content"].endswith("Hi, I am on it.") and len(new_ids) == len(ids) + 1
    # nothing new: the tick gives up after WATCH_S and changes nothing
    shopper_watch_s, shopper.WATCH_S = shopper.WATCH_S, 0.3
    try:
        assert asyncio.run(shopper.watch(browser, new_ids, request)) == (gr.skip(), gr.skip())
        no_cookie = gr.Request(cookies={})
        assert asyncio.run(shopper.watch(browser, [], no_cookie)) == (gr.skip(), gr.skip())
    finally:
        shopper.WATCH_S = shopper_watch_s
