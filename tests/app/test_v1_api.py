"""``GET /v1/search`` and ``POST /v1/feedback`` on the app's FastAPI server (scripted assistant;
the search runs the real retrieval and ranker over the four test products, embedded by the
tiny local encoder)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.store.db import session_scope
from assistant.store.models import Feedback, InteractionEvent, Message
from assistant.ui import chat, metrics, tokens


@pytest.fixture()
def client(scripted, v1_app):
    metrics.reset()
    with TestClient(v1_app) as test_client:
        yield test_client


# --------------------------------------------------------------------------- search
def test_search_is_aisle_search_over_http(indexed, client, monkeypatch):
    """The same object as ``search_products`` (the CLI's function) for the same arguments."""
    from assistant.search import make_filters, search_products

    answer = client.get("/v1/search", params={"q": "shoe", "max_price": 100, "k": 3})
    assert answer.status_code == 200
    body = answer.json()
    assert body["query"] == "shoe" and body["filters"] == {"max_price": 100.0}
    assert body["results"] and all(r["price"] <= 100.0 for r in body["results"])
    assert len(body["results"]) <= 3
    for r in body["results"]:
        assert {"id", "title", "category", "brand", "price", "available", "score", "product_id",
                "options", "price_range", "option_values", "currency"} <= set(r)  # fmt: skip
    direct = search_products("shoe", make_filters(max_price=100.0), k=3)
    assert body == direct

    calls = []
    real = search_products

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr("assistant.search.search_products", spy)
    answer = client.get(
        "/v1/search",
        params={"q": "jacket", "category": "jackets", "brand": "Acme", "min_price": 10,
                "diversity": 0.5, "user_id": "u-1", "k": 2},
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.json()["filters"] == {"min_price": 10.0, "category": ["jackets"],
                                        "brand": ["Acme"]}  # fmt: skip
    assert [r["id"] for r in answer.json()["results"]] == ["p3"]
    ((args, kwargs),) = calls
    assert args[0] == "jacket" and kwargs["k"] == 2 and kwargs["diversity"] == 0.5
    assert kwargs["user"] == "u-1"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "query parameter q is missing"),
        ({"q": "x", "k": 0}, "query parameter k"),
        ({"q": "x", "k": 101}, "query parameter k"),
        ({"q": "x", "diversity": 2}, "query parameter diversity"),
        ({"q": "x", "min_price": -1}, "query parameter min_price"),
        ({"q": "x", "max_price": "cheap"}, "query parameter max_price"),
        ({"q": "x", "min_price": 50, "max_price": 10}, "min_price 50.0 is above max_price 10.0"),
        ({"q": "x", "user_id": "u" * 101}, "query parameter user_id"),
    ],
)
def test_search_bad_input_is_422_naming_the_parameter(client, params, fragment):
    answer = client.get("/v1/search", params=params)
    assert answer.status_code == 422
    assert fragment in answer.json()["error"]


def test_search_without_an_index_is_503(client):
    answer = client.get("/v1/search", params={"q": "shoe"})
    assert answer.status_code == 503
    assert answer.json()["error"].startswith("search is not available")


# --------------------------------------------------------------------------- feedback
def chat_turn(client: TestClient, message: str, session: str | None = None) -> dict:
    answer = client.post("/v1/chat", json={"message": message, "session": session})
    assert answer.status_code == 200
    return answer.json()


def test_thumbs_on_a_reply_of_the_own_conversation(client):
    turn = chat_turn(client, "any shoe?")
    answer = client.post(
        "/v1/feedback",
        json={"kind": "thumbs", "session": turn["session"], "message_id": turn["message_id"],
              "rating": "down", "reason": "too pricey"},
    )  # fmt: skip
    assert answer.status_code == 200
    out = answer.json()
    assert out == {"recorded": True, "kind": "thumbs", "feedback_id": out["feedback_id"],
                   "message_id": turn["message_id"]}  # fmt: skip
    with session_scope() as s:
        row = s.get(Feedback, out["feedback_id"])
        assert (row.message_id, row.rating, row.reason, row.author) == (
            turn["message_id"],
            "down",
            "too pricey",
            "shopper",
        )  # the same record the chat page's thumbs write
    up = client.post("/v1/feedback", json={"kind": "thumbs", "session": turn["session"],
                                           "message_id": turn["message_id"], "rating": "up"})  # fmt: skip
    assert up.status_code == 200


def test_a_click_on_a_shown_product(client, scripted):
    turn = chat_turn(client, "any shoe?")
    shown = [p["id"] for p in turn["products"]]
    assert shown == ["p1", "p2"]
    for kind in ("click", "add_to_cart", "not_for_me"):
        answer = client.post(
            "/v1/feedback", json={"kind": kind, "session": turn["session"], "product_id": "p1"}
        )
        assert answer.status_code == 200
        assert answer.json() == {"recorded": True, "kind": kind, "product_id": "p1"}
    conversation = tokens.conversation_id(turn["session"])
    assert scripted.events == [
        (conversation, "p1", k) for k in ("click", "add_to_cart", "not_for_me")
    ]
    with session_scope() as s:
        kinds = s.scalars(
            select(InteractionEvent.kind).where(InteractionEvent.session_id == conversation)
        )
        assert sorted(kinds) == ["add_to_cart", "click", "not_for_me"]


def test_feedback_never_reaches_another_shoppers_conversation(client, scripted):
    mine = chat_turn(client, "any shoe?")
    theirs = chat_turn(client, "a jacket please")
    assert mine["session"] != theirs["session"]

    def post(**body):
        return client.post("/v1/feedback", json=body)

    # their reply, rated with my token: not part of my conversation
    other = post(
        kind="thumbs", session=mine["session"], message_id=theirs["message_id"], rating="up"
    )
    assert other.status_code == 404 and "not part of this conversation" in other.json()["error"]
    missing = post(kind="thumbs", session=mine["session"], message_id=10**9, rating="up")
    assert missing.status_code == 404 and missing.json() == {
        "error": f"message {10**9} is not part of this conversation"
    }  # the same answer as for someone else's message
    # their product (p3, the jacket) was never shown in my conversation
    product = post(kind="click", session=mine["session"], product_id="p3")
    assert (
        product.status_code == 404
        and "was not shown in this conversation" in product.json()["error"]
    )
    # a forged token, the stored conversation id in place of the token, a token with its tag changed
    conversation = tokens.conversation_id(theirs["session"])
    random_part, _, tag = theirs["session"].rpartition(".")
    forged_tag = random_part + "." + ("0" if tag[0] != "0" else "1") + tag[1:]
    for forged in ("made-up", conversation, forged_tag):
        for body in (
            {"kind": "thumbs", "message_id": theirs["message_id"], "rating": "down"},
            {"kind": "not_for_me", "product_id": "p3"},
        ):
            answer = post(session=forged, **body)
            assert answer.status_code == 403, (forged, body)
            assert "not a token this server issued" in answer.json()["error"]
    # an issued token with no conversation yet
    fresh = post(kind="click", session=tokens.issue(), product_id="p1")
    assert fresh.status_code == 404 and "no conversation yet" in fresh.json()["error"]
    with session_scope() as s:
        assert s.scalars(select(Feedback)).all() == []
        assert s.scalars(select(InteractionEvent)).all() == []
    assert scripted.events == []


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (
            {"kind": "thumbs", "message_id": 1, "rating": "meh"},
            422,
            "rating: Input should be 'up' or 'down'",
        ),
        ({"kind": "thumbs", "message_id": "1", "rating": "up"}, 422, "message_id"),
        ({"kind": "thumbs", "message_id": 0, "rating": "up"}, 422, "message_id"),
        ({"kind": "thumbs", "rating": "up"}, 422, "message_id is missing"),
        ({"kind": "thumbs", "message_id": 1, "rating": "up", "reason": "x" * 1001}, 422, "reason"),
        ({"kind": "hug", "product_id": "p1"}, 422, "kind must be one of thumbs, click"),
        ({"product_id": "p1"}, 422, "kind must be one of"),
        ({"kind": "click", "product_id": ""}, 422, "product_id"),
        ({"kind": "click", "product_id": "p1", "rating": "up"}, 422, "unknown field 'rating'"),
        ({"kind": "click", "product_id": "p1", "session": None}, 422, "session"),
    ],
)
def test_feedback_bad_input_is_422_with_a_clear_message(client, body, status, fragment):
    turn = chat_turn(client, "any shoe?")
    answer = client.post("/v1/feedback", json={"session": turn["session"], **body})
    assert answer.status_code == status, answer.json()
    assert fragment in answer.json()["error"]


def test_feedback_on_a_shoppers_own_message_is_422(client):
    turn = chat_turn(client, "any shoe?")
    conversation = tokens.conversation_id(turn["session"])
    with session_scope() as s:
        user_id = s.scalars(
            select(Message.id).where(Message.session_id == conversation, Message.role == "user")
        ).first()
    answer = client.post("/v1/feedback", json={"kind": "thumbs", "session": turn["session"],
                                               "message_id": user_id, "rating": "up"})  # fmt: skip
    assert (
        answer.status_code == 422
        and "feedback goes on an assistant reply" in answer.json()["error"]
    )


def test_feedback_body_that_is_not_json_or_too_large(client):
    not_json = client.post(
        "/v1/feedback", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]
    not_object = client.post("/v1/feedback", json=[1, 2])
    assert not_object.status_code == 422 and "must be a JSON object" in not_object.json()["error"]
    big = client.post("/v1/feedback", content=b"{" + b" " * 70_000 + b"}",
                      headers={"content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413 and "over 65,536 bytes" in big.json()["error"]


def test_gradio_thumbs_still_refuse_another_conversation(client):
    """The chat page's handler shares ``chat.add_thumbs``: another conversation's message is
    still a ``UserError`` there (``NotInConversation`` is one)."""
    from assistant.errors import UserError

    mine, theirs = chat_turn(client, "any shoe?"), chat_turn(client, "hello")
    with pytest.raises(UserError, match="not part of this conversation"):
        chat.add_thumbs(tokens.conversation_id(mine["session"]), theirs["message_id"], True)


def test_openapi_document_at_v1_and_the_old_address(client):
    doc = client.get("/v1/openapi.json")
    assert doc.status_code == 200
    paths = doc.json()["paths"]
    assert {"/v1/chat", "/v1/search", "/v1/feedback"} <= set(paths)
    assert client.get("/openapi.json").json() == doc.json()
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    chat_body = paths["/v1/chat"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(chat_body["properties"]) == {
        "message",
        "session",
        "session_id",
        "user_id",
        "diversity",
    }
    feedback = paths["/v1/feedback"]["post"]
    assert {"200", "400", "403", "404", "413", "422"} <= set(feedback["responses"])
    assert {p["name"] for p in paths["/v1/search"]["get"]["parameters"]} == {
        "q", "k", "min_price", "max_price", "category", "brand", "diversity", "user_id"
    }  # fmt: skip


@pytest.mark.parametrize("token", ["abc.é", "é", "x.\u00ff" * 3, "\U0001f600.1"])
def test_a_non_ascii_token_is_just_not_issued(client, token):
    """Found by the schemathesis run: ``hmac.compare_digest`` raises on non-ASCII text, which
    was a 500 for such a token (chat, feedback) and for such a cookie on every page."""
    assert tokens.is_issued(token) is False
    answer = client.post(
        "/v1/feedback", json={"kind": "click", "session": token, "product_id": "p1"}
    )
    assert answer.status_code == 403
    turn = client.post("/v1/chat", json={"message": "hello", "session": token})
    assert turn.status_code == 200 and tokens.is_issued(turn.json()["session"])
    page = client.get("/healthz", headers={"cookie": f"{tokens.COOKIE}={token}".encode()})
    assert page.status_code == 200


def test_a_body_that_is_not_utf8_is_400(client):
    """Found by the schemathesis run: FastAPI's own 400 had a ``detail`` body, not ``error``."""
    answer = client.post(
        "/v1/feedback", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400 and "JSON" in answer.json()["error"]
