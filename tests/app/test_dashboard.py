"""Dashboard queries against hand-counted DB state with fixed timestamps."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.staff import dashboard
from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Feedback, Message, ModelVersion

NOW = datetime(2026, 3, 10, 12, 0)
D1, D2 = datetime(2026, 3, 9, 10, 0), datetime(2026, 3, 10, 9, 0)


@pytest.fixture()
def history(store):
    with session_scope() as s:
        s.add_all(
            [
                ChatSession(id="a", created_at=D1, handoff=True),
                ChatSession(id="b", created_at=D1),
                ChatSession(id="c", created_at=D2, model_version="v1"),
                ChatSession(id="old", created_at=datetime(2025, 1, 1)),  # outside the window
            ]
        )
        s.flush()
        msgs = [
            Message(session_id="a", role="user", text="x", intent="track_order", created_at=D1),
            Message(
                session_id="a",
                role="assistant",
                text="y",
                intent="track_order",
                created_at=D1,
                latency_ms=100.0,
                plan={"action": "search"},
                products=[],
            ),  # zero-result
            Message(session_id="b", role="user", text="x", intent="search_products", created_at=D1),
            Message(
                session_id="b",
                role="assistant",
                text="y",
                created_at=D1,
                latency_ms=300.0,
                plan={"action": "search", "filters": {"max_price": 100, "brand": ["Acme"]}},
                products=[
                    {"id": "p1", "price": 89.0, "brand": "Acme"},  # ok
                    {"id": "p2", "price": 120.0, "brand": "Zoom"},
                ],
            ),  # violates both: counted once
            Message(session_id="c", role="user", text="x", intent="search_products", created_at=D2),
            Message(
                session_id="c",
                role="assistant",
                text="y",
                created_at=D2,
                latency_ms=200.0,
                plan={"action": "search", "filters": {"options": {"color": ["blue"]}}},
                products=[{"id": "p1", "price": 89.0}],
            ),  # p1 is blue: ok
        ]
        s.add_all(msgs)
        s.flush()
        s.add_all(
            [
                Feedback(message_id=msgs[1].id, rating="down", created_at=D1),
                Feedback(message_id=msgs[3].id, rating="up", created_at=D1),
                Feedback(message_id=msgs[3].id, rating="up", created_at=D1),
                Feedback(message_id=msgs[5].id, rating="up", created_at=D2),
                Feedback(
                    message_id=msgs[5].id, rating=None, reason="meh", created_at=D2
                ),  # not a rating
            ]
        )
        s.add(
            ModelVersion(
                id="v1",
                path="/m/v1",
                status="live",
                metrics={"macro_f1": 0.81234, "eval": {"accuracy": 0.9}},
            )
        )


def test_per_day_series(history):
    with session_scope() as s:
        conv = dashboard.conversations_over_time(s, days=3, now=NOW)
        thumbs = dashboard.thumbs_up_rate(s, days=3, now=NOW)
        handoff = dashboard.handoff_rate(s, days=3, now=NOW)
        zero = dashboard.zero_result_searches(s, days=3, now=NOW)
        viol = dashboard.constraint_violations(s, days=3, now=NOW)
    assert conv["conversations"].tolist() == [0, 2, 1]
    assert thumbs["ratings"].tolist() == [0, 3, 1]
    assert thumbs["thumbs_up_rate"].tolist()[1:] == pytest.approx([2 / 3, 1.0])
    assert handoff["handoff_rate"].tolist()[1:] == pytest.approx([0.5, 0.0])
    assert zero["zero_result_searches"].tolist() == [0, 1, 0]
    assert viol["constraint_violations"].tolist() == [0, 1, 0]


def test_top_intents_and_latency(history):
    with session_scope() as s:
        intents = dashboard.top_intents(s, days=3, now=NOW)
        lat = dashboard.latency(s, days=3, now=NOW)
    assert intents.values.tolist() == [["search_products", 2], ["track_order", 1]]
    day1 = lat[lat["day"] == "2026-03-09"].set_index("percentile")["latency_ms"]
    assert day1["p50"] == pytest.approx(200.0)  # median of 100, 300
    assert day1["p95"] == pytest.approx(290.0)  # linear interpolation: 100 + 0.95 * 200


def test_violations_reference():
    f = {
        "min_price": 10,
        "max_price": 50,
        "category": ["Shoes"],
        "exclude_brand": ["Bad"],
        "available_only": True,
    }
    assert (
        dashboard.violations(
            f, {"id": "a", "price": 20, "category": "shoes", "brand": "Good", "available": True}
        )
        == []
    )
    assert dashboard.violations(
        f, {"id": "a", "price": 60, "category": "hats", "brand": "bad", "available": False}
    ) == ["max_price", "category", "exclude_brand", "available_only"]


def test_model_versions_and_summary(history):
    with session_scope() as s:
        versions = dashboard.model_versions(s)
        head = dashboard.summary(s, days=3, now=NOW)
    row = versions.iloc[0]
    assert row["version"] == "v1" and row["status"] == "live"
    assert row["macro_f1"] == pytest.approx(0.8123) and row["eval.accuracy"] == pytest.approx(0.9)
    assert row["sessions"] == 1
    assert head == {
        "conversations": 3,
        "ratings": 4,
        "thumbs_up_rate": 0.75,
        "constraint_violations": 1,
    }


@pytest.fixture()
def two_versions(store):
    """Sessions with known feedback, hand-offs and resolutions for two dialogue versions, a
    third version that served nobody, and a recommender version (not a dialogue model).

    By hand (``assistant.experiments``: the latest rating of a reply counts; resolved = not
    handed off and a thumbs-up, a cart/purchase event or a last user turn thanks/goodbye/affirm):

    - v1, 4 sessions: a1 handed off, its reply rated up (not resolved: handed off); a2 reply
      rated down then up (counts up; resolved); a3 last turn ``thanks``, reply rated down
      (resolved); a4 nothing. Ratings 3, thumbs-up 2/3, hand-off 1/4, resolution 2/4.
    - v2, 3 sessions: b1 add_to_cart, reply rated down (resolved); b2 handed off, last turn
      ``goodbye`` (not resolved); b3 a reason without a rating. Ratings 1, thumbs-up 0/1,
      hand-off 1/3, resolution 1/3.
    """
    from assistant.store.models import InteractionEvent

    t = datetime(2026, 3, 1, 8, 0)
    with session_scope() as s:
        s.add_all(
            [
                ModelVersion(
                    id="v1",
                    kind="dialogue",
                    path="/m/v1",
                    status="live",
                    metrics={"macro_f1": 0.8, "eval": {"accuracy": 0.91}},
                    created_at=datetime(2026, 2, 1),
                ),
                ModelVersion(
                    id="v2",
                    kind="dialogue",
                    path="/m/v2",
                    status="candidate",
                    metrics={"macro_f1": 0.85, "eval": {"accuracy": 0.93}},
                    created_at=datetime(2026, 2, 2),
                ),
                ModelVersion(
                    id="v3",
                    kind="dialogue",
                    path="/m/v3",
                    status="retired",
                    metrics={"macro_f1": 0.7},
                    created_at=datetime(2026, 1, 1),
                ),
                ModelVersion(
                    id="rec-1",
                    kind="recommender",
                    path="/m/rec",
                    status="live",
                    metrics={"ndcg@10": 0.3},
                    created_at=datetime(2026, 2, 3),
                ),
            ]
        )
        for sid, version, handoff in (
            ("a1", "v1", True), ("a2", "v1", False), ("a3", "v1", False), ("a4", "v1", False),
            ("b1", "v2", False), ("b2", "v2", True), ("b3", "v2", False),
        ):  # fmt: skip
            s.add(ChatSession(id=sid, model_version=version, handoff=handoff, created_at=t))
        s.flush()
        replies = {}
        for sid, last_intent in (("a1", "search_products"), ("a2", "search_products"),
                                 ("a3", "thanks"), ("a4", "greeting"), ("b1", "search_products"),
                                 ("b2", "goodbye"), ("b3", "search_products")):  # fmt: skip
            s.add(Message(session_id=sid, role="user", text="q", intent=last_intent, created_at=t))
            reply = Message(session_id=sid, role="assistant", text="r", created_at=t)
            s.add(reply)
            s.flush()
            replies[sid] = reply.id
        s.add_all(
            [
                Feedback(message_id=replies["a1"], rating="up", created_at=t),
                Feedback(message_id=replies["a2"], rating="down", created_at=t),
                Feedback(message_id=replies["a2"], rating="up", created_at=t),  # replaces the down
                Feedback(message_id=replies["a3"], rating="down", created_at=t),
                Feedback(message_id=replies["b1"], rating="down", created_at=t),
                Feedback(message_id=replies["b3"], rating=None, reason="meh", created_at=t),
                InteractionEvent(session_id="b1", product_id="p1", kind="add_to_cart"),
                # a click is not a resolution
                InteractionEvent(session_id="a4", product_id="p1", kind="click"),
            ]
        )


def test_model_versions_table_reads_every_live_column(two_versions):
    with session_scope() as s:
        table = dashboard.model_versions(s)
    assert list(table.columns) == [
        "version", "status", "created", "macro_f1", "eval.accuracy",
        "sessions", "ratings", "live_thumbs_up", "live_handoff", "live_resolution",
    ]  # fmt: skip
    rows = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    assert rows == [
        {"version": "v2", "status": "candidate", "created": "2026-02-02 00:00",
         "macro_f1": 0.85, "eval.accuracy": 0.93, "sessions": 3, "ratings": 1,
         "live_thumbs_up": 0.0, "live_handoff": 0.3333, "live_resolution": 0.3333},
        {"version": "v1", "status": "live", "created": "2026-02-01 00:00",
         "macro_f1": 0.8, "eval.accuracy": 0.91, "sessions": 4, "ratings": 3,
         "live_thumbs_up": 0.6667, "live_handoff": 0.25, "live_resolution": 0.5},
        {"version": "v3", "status": "retired", "created": "2026-01-01 00:00",
         "macro_f1": 0.7, "eval.accuracy": None, "sessions": 0, "ratings": 0,
         "live_thumbs_up": None, "live_handoff": None, "live_resolution": None},
    ]  # fmt: skip


def test_dashboard_view_shows_the_live_columns(two_versions, staff_request):
    """The view hands the same table to the page, rates filled in."""
    from assistant.ui import dashboard_view

    out = dashboard_view.refresh(30, staff_request("admin"))
    table = out[8]
    v1 = table.set_index("version").loc["v1"]
    assert (v1["live_thumbs_up"], v1["live_handoff"], v1["live_resolution"]) == (0.6667, 0.25, 0.5)
    # the recommender's version is not a dialogue model
    assert set(table["version"]) == {"v1", "v2", "v3"}
