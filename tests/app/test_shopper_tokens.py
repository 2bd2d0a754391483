"""Shopper conversations owned by server-issued tokens, over raw HTTP against the real app
(scripted assistant): the ``aisle_shopper`` cookie of the chat page, the token the ``/chat``
API answers with, and ``POST /v1/chat``'s input checks. A token the server never issued
(made up, a conversation's id, a tampered one) starts a new conversation holding none of
the old transcript; the database is read back after each."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Message
from assistant.ui import shopper, tokens

SECRET_WORDS = "my address is 12 Elm Street"


@pytest.fixture()
def server(scripted_server):
    return scripted_server


def texts(session_id: str) -> list[str]:
    with session_scope() as s:
        return list(
            s.scalars(
                select(Message.text).where(Message.session_id == session_id).order_by(Message.id)
            )
        )


def fn_index(module, handler) -> int:
    return next(i for i, fn in module.demo.fns.items() if fn.fn is handler)


def queue_call(client: httpx.Client, index: int, data: list, session_hash: str) -> dict:
    """One event through ``/gradio_api/queue/join`` + ``/queue/data``: the completion message."""
    joined = client.post(
        "/gradio_api/queue/join",
        json={"data": data, "fn_index": index, "session_hash": session_hash,
              "event_data": None, "trigger_id": None},
    )
    assert joined.status_code == 200, joined.text
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the queue stream ended without a result")


def api_chat(client: httpx.Client, message, session_id=None) -> tuple[str, str]:
    """The Gradio ``/chat`` endpoint by its name: (event kind, data)."""
    started = client.post("/gradio_api/call/chat", json={"data": [message, session_id]})
    assert started.status_code == 200, started.text
    text = client.get(f"/gradio_api/call/chat/{started.json()['event_id']}").text
    kind = "complete" if "event: complete" in text else "error" if "event: error" in text else text
    data = text.split("data:", 1)[1].strip() if "data:" in text else ""
    return kind, data


# ----------------------------------------------------------------- the chat page's cookie
def test_the_page_sets_an_httponly_strict_server_token(server):
    url, _ = server
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{tokens.COOKIE}=") and "HttpOnly" in cookie and "Path=/" in cookie
    assert "samesite=strict" in cookie.lower() and "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert tokens.is_issued(token) and len(token) >= 43
    # a valid cookie is kept; a made-up one is replaced; a cross-site visit leaves it alone
    kept = httpx.get(url, cookies={tokens.COOKIE: token}, timeout=30)
    assert "set-cookie" not in kept.headers
    made_up = httpx.get(url, cookies={tokens.COOKIE: "abc.def"}, timeout=30)
    fresh = made_up.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert fresh != "abc.def" and tokens.is_issued(fresh)
    cross = httpx.get(url, headers={"sec-fetch-site": "cross-site"}, timeout=30)
    assert cross.status_code == 200 and "set-cookie" not in cross.headers


def test_secure_cookie_when_configured(server, monkeypatch):
    from assistant.settings import get_settings

    url, _ = server
    monkeypatch.setenv("AISLE_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    try:
        assert "Secure" in httpx.get(url, timeout=30).headers["set-cookie"]
    finally:
        monkeypatch.delenv("AISLE_SECURE_COOKIES")
        get_settings.cache_clear()


def test_a_conversation_belongs_to_its_cookie(server, scripted):
    url, module = server
    submit, restore = fn_index(module, shopper.submit), fn_index(module, shopper.restore)
    alice = httpx.Client(base_url=url, timeout=30)
    alice.get("/")  # the page load sets her cookie
    token = alice.cookies[tokens.COOKIE]
    state = shopper.empty_browser()
    done = queue_call(alice, submit, [SECRET_WORDS, [], [], state, 0.3], "alice-hash")
    assert done["success"], done
    sid = tokens.conversation_id(token)
    assert texts(sid) == [SECRET_WORDS, f"You said: {SECRET_WORDS}"]
    back = queue_call(alice, restore, [state], "alice-hash-2")
    assert SECRET_WORDS in json.dumps(back["output"]["data"])

    # everything another client can send: her browser state, her Gradio session_hash, her
    # conversation's id as a cookie or in the state, a tampered token, no cookie at all
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
    for label, cookie, sent_state in (
        ("no cookie", None, state),
        ("her conversation id", sid, {"conversation": ""}),
        ("tampered token", tampered, state),
        ("made-up token", "x" * 43, {"session_id": sid}),
        ("another browser", tokens.issue(), state),
    ):
        client = httpx.Client(base_url=url, timeout=30)
        if cookie is not None:
            client.cookies.set(tokens.COOKIE, cookie)
        shown = queue_call(client, restore, [sent_state], "alice-hash")
        assert shown["success"] and SECRET_WORDS not in json.dumps(shown), label
        went = queue_call(client, submit, ["any shoe?", [], [], sent_state, 0.3], "alice-hash")
        assert went["success"] and SECRET_WORDS not in json.dumps(went), label
        assert scripted.calls[-1]["session_id"] != sid, label
    assert texts(sid) == [SECRET_WORDS, f"You said: {SECRET_WORDS}"]  # nothing added to hers


# ----------------------------------------------------------------- the /chat API's token
def test_api_token_continues_and_unknown_tokens_start_afresh(server, scripted):
    url, _ = server
    client = httpx.Client(base_url=url, timeout=30)
    kind, data = api_chat(client, SECRET_WORDS, None)
    assert kind == "complete", data
    first = json.loads(data)[0]
    token = first["session_id"]
    assert tokens.is_issued(token)
    kind, data = api_chat(client, "any shoe?", token)
    assert json.loads(data)[0]["session_id"] == token
    sid = tokens.conversation_id(token)
    assert texts(sid)[0] == SECRET_WORDS and len(texts(sid)) == 4

    client_chosen = ["mine", sid, token[:-2] + "zz", "A" * 64, token + "x"]
    for made_up in client_chosen:
        kind, data = api_chat(client, "hello", made_up)
        assert kind == "complete", (made_up, data)
        answer = json.loads(data)[0]
        assert answer["session_id"] not in (token, made_up) and tokens.is_issued(answer["session_id"])
        assert answer["reply"] == "You said: hello" and SECRET_WORDS not in data
        fresh = tokens.conversation_id(answer["session_id"])
        assert texts(fresh) == ["hello", "You said: hello"]
    assert len(texts(sid)) == 4
    with session_scope() as s:  # no conversation under a client-chosen id
        assert all(s.get(ChatSession, made_up) is None for made_up in client_chosen if made_up != sid)


def test_api_bad_inputs_get_a_clear_error(server, scripted):
    url, _ = server
    client = httpx.Client(base_url=url, timeout=30)
    for data, expected in (
        ([123, None], "message must be a string"),
        ([None, None], "message is missing"),
        (["x" * 5000, None], "5000 characters"),
        (["hi", 42], "session_id must be a string"),
        ([{"text": "hi"}, None], "message must be a string"),
    ):
        kind, text = api_chat(client, *data)
        assert kind == "error" and expected in text and "Traceback" not in text, (data, text)
    assert scripted.calls == []


# ----------------------------------------------------------------- POST /v1/chat
def test_v1_chat_holds_a_conversation(server, scripted):
    url, _ = server
    client = httpx.Client(base_url=url, timeout=30)
    first = client.post("/v1/chat", json={"message": SECRET_WORDS})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["session"] == body["session_id"] and tokens.is_issued(body["session_id"])
    assert {"message_id", "reply", "intent", "confidence", "slots", "action", "products",
            "handoff"} <= set(body)
    second = client.post("/v1/chat", json={"message": "any shoe?", "session": body["session"],
                                           "user_id": "u-1", "diversity": 0.8})
    assert second.status_code == 200 and second.json()["session_id"] == body["session_id"]
    assert scripted.calls[-1]["diversity"] == 0.8 and scripted.calls[-1]["user_id"] == "u-1"
    forged = client.post("/v1/chat", json={"message": "hi", "session": "guess"}).json()
    assert forged["session_id"] != body["session_id"] and SECRET_WORDS not in json.dumps(forged)


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 422, "message is missing"),
        ({"message": 5}, 422, "message must be a string"),
        ({"message": ["hi"]}, 422, "message must be a string"),
        ({"message": "x" * 4001}, 422, "4001 characters"),
        ({"message": "   "}, 422, "empty"),
        ({"message": "hi", "diversity": "high"}, 422, "diversity must be a number"),
        ({"message": "hi", "diversity": 3}, 422, "from 0 to 1"),
        ({"message": "hi", "diversity": True}, 422, "diversity must be a number"),
        ({"message": "hi", "user_id": 7}, 422, "user_id must be"),
        ({"message": "hi", "user_id": "u" * 101}, 422, "user_id must be"),
        ({"message": "hi", "session": 9}, 422, "session_id must be a string"),
        ({"message": "hi", "colour": "red"}, 422, "unknown field 'colour'"),
        ("not json", 400, "not JSON"),
        (["hi"], 400, "JSON object"),
        ("big", 413, "over 65,536 bytes"),
    ],
)
def test_v1_chat_refuses_bad_input_with_4xx(server, scripted, body, status, expected):
    url, _ = server
    if body == "not json":
        response = httpx.post(url + "v1/chat", content=b"{message: hi", timeout=30)
    elif body == "big":
        response = httpx.post(url + "v1/chat", content=b'{"message": "' + b"x" * 70_000 + b'"}',
                              timeout=30)
    else:
        response = httpx.post(url + "v1/chat", json=body, timeout=30)
    assert response.status_code == status, response.text
    assert expected in response.json()["error"] and "Traceback" not in response.text
    assert scripted.calls == []


def test_gradio_run_route_answers_bad_input_with_422(server, scripted):
    """Gradio's direct route answered any handler error with 500; bad input is now a 422 with
    the handler's message, and a good call is unchanged."""
    url, _ = server
    for route in ("run", "api"):
        bad = httpx.post(f"{url}gradio_api/{route}/chat", json={"data": [123, None]}, timeout=30)
        assert bad.status_code == 422, bad.text
        assert "message must be a string" in bad.json()["error"] and "Traceback" not in bad.text
    good = httpx.post(f"{url}gradio_api/run/chat", json={"data": ["hello", None]}, timeout=30)
    assert good.status_code == 200 and good.json()["data"][0]["reply"] == "You said: hello"
    assert len(scripted.calls) == 1


def test_gradio_run_route_keeps_500_for_a_failure(server, scripted, monkeypatch):
    url, _ = server

    def broken(*args, **kwargs):
        raise RuntimeError("the store is down")

    monkeypatch.setattr(scripted, "turn", broken)
    response = httpx.post(f"{url}gradio_api/run/chat", json={"data": ["hello", None]}, timeout=30)
    assert response.status_code == 500 and "Traceback" not in response.text
    assert "store is down" not in response.text  # an internal failure's message stays in the log
