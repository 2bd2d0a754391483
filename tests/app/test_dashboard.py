"""Dashboard queries against hand-counted DB state with fixed timestamps."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant import dashboard
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
