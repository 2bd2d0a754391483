"""A/B assignment and per-version statistics against hand-computed values."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assistant.experiments import (
    ab_bucket,
    assign_model_version,
    compute_version_stats,
    version_stats,
    wilson_interval,
)
from assistant.feedback import add_feedback
from assistant.settings import Settings
from assistant.store.models import ChatSession, InteractionEvent, ModelVersion
from tests.feedback.conftest import add_turns


def test_wilson_matches_textbook_values():
    # 8 of 10: Wilson 95% interval (0.4902, 0.9433); 0 of 10: (0, 0.2775).
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def _versions(db):
    t0 = datetime(2026, 1, 1)
    db.add_all(
        [
            ModelVersion(id="v1", path="x", status="live", created_at=t0),
            ModelVersion(id="v2", path="y", status="candidate", created_at=t0 + timedelta(hours=1)),
        ]
    )
    db.flush()


def test_no_live_version_means_none(db):
    assert assign_model_version(db, "abc", Settings(ab_share=0.5)) is None


def test_assignment_is_deterministic_and_honours_the_share(db):
    _versions(db)
    settings = Settings(ab_share=0.3)
    ids = [f"session-{i}" for i in range(1000)]
    first = [assign_model_version(db, sid, settings) for sid in ids]
    assert first == [assign_model_version(db, sid, settings) for sid in ids]
    expected = ["v2" if ab_bucket(sid) < 0.3 else "v1" for sid in ids]
    assert first == expected
    share = first.count("v2") / len(ids)
    assert 0.25 < share < 0.35  # binomial(1000, 0.3): sd ~ 0.0145
    assert {assign_model_version(db, sid, Settings(ab_share=0.0)) for sid in ids} == {"v1"}


def test_assignment_is_sticky_on_the_session(db):
    _versions(db)
    db.add(ChatSession(id="s-sticky"))
    db.flush()
    got = assign_model_version(db, "s-sticky", Settings(ab_share=1.0))
    assert got == "v2" and db.get(ChatSession, "s-sticky").model_version == "v2"
    assert assign_model_version(db, "s-sticky", Settings(ab_share=0.0)) == "v2"


def test_version_stats_by_hand(db):
    _versions(db)
    # v1: three sessions. a: up, up -> resolved; b: down + handoff; c: last turn thanks -> resolved.
    a = add_turns(
        db,
        "a",
        [
            ("user", "hi", "greeting"),
            ("assistant", "hello", None),
            ("user", "x", "search_products"),
            ("assistant", "y", None),
        ],
        "v1",
    )
    b = add_turns(db, "b", [("user", "hi", "greeting"), ("assistant", "hm", None)], "v1")
    add_turns(db, "c", [("user", "thanks", "thanks"), ("assistant", "welcome", None)], "v1")
    # v2: one session with a purchase and a reply rated down then up (latest counts).
    d = add_turns(
        db, "d", [("user", "boots", "search_products"), ("assistant", "boots", None)], "v2"
    )
    add_feedback(db, a[1], rating="up")
    add_feedback(db, a[3], rating="up")
    add_feedback(db, b[1], rating="down")
    add_feedback(db, d[1], rating="down")
    add_feedback(db, d[1], rating="up")
    db.get(ChatSession, "b").handoff = True
    db.add(InteractionEvent(session_id="d", product_id="p1", kind="purchase"))
    db.flush()
    stats = {s.version: s for s in compute_version_stats(db)}
    v1, v2 = stats["v1"], stats["v2"]
    assert (v1.status, v1.sessions) == ("live", 3)
    assert (v1.thumbs_up.successes, v1.thumbs_up.n) == (2, 3)
    assert (v1.handoff.successes, v1.handoff.n) == (1, 3)
    assert (v1.resolution.successes, v1.resolution.n) == (2, 3)
    assert (v1.thumbs_up.low, v1.thumbs_up.high) == pytest.approx(wilson_interval(2, 3))
    assert (v2.thumbs_up.successes, v2.thumbs_up.n, v2.resolution.successes) == (1, 1, 1)
    assert v2.to_dict()["handoff"]["rate"] == 0.0
    flat = {row["version"]: row for row in version_stats(db)}
    assert flat["v1"]["thumbs_up_rate"] == pytest.approx(2 / 3)
    assert flat["v1"]["handoff_low"] == pytest.approx(wilson_interval(1, 3)[0])
    assert flat["v2"]["ratings"] == 1 and flat["v2"]["resolution_rate"] == 1.0
