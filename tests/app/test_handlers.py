"""Shopper, agent and dashboard handlers called directly (no browser)."""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Feedback, InteractionEvent, Message
from assistant.ui import agent_view, chat, dashboard_view, shopper, tokens


class Browser:
    """One shopper's browser: the server-issued ``aisle_shopper`` cookie (what the middleware
    gives it) and the page's browser state."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or tokens.issue()
        self.state = shopper.empty_browser()

    @property
    def request(self) -> gr.Request:
        return gr.Request(cookies={tokens.COOKIE: self.token}, client={"host": "testclient"})

    @property
    def sid(self) -> str:
        return chat.browser_conversation(self.request, self.state)


def run_turn(text, browser: Browser, messages=None, ids=None, diversity=0.4):
    """Drive the streaming handler to the end; returns (all yields, last yield)."""
    steps = list(
        shopper.submit(text, messages or [], ids or [], browser.state, diversity, browser.request)
    )
    browser.state = steps[-1][3]
    return steps, steps[-1]


def test_streaming_turn_with_cards(scripted):
    browser = Browser()
    steps, last = run_turn("trail shoe please", browser)
    messages, box, ids, _, products, *cards = last
    assert box == ""
    assert messages[0] == {"role": "user", "content": "trail shoe please"}
    assert messages[-1]["content"] == "Here are 2 shoes for you."
    # streamed: the reply grows over several yields before the final one
    partial = [s[0][-1]["content"] for s in steps if s[0][-1]["role"] == "assistant"]
    assert len(partial) >= 2 and partial[0] != partial[-1] and partial[-1].startswith(partial[0])
    assert [p["id"] for p in products] == ["p1", "p2"]
    assert cards[0]["visible"] is True and cards[4]["visible"] is False
    assert (
        "Trail Runner Shoe" in cards[1]
        and "matches shoe" in cards[1]
        and "Out of stock" in cards[3]
    )
    user_id = chat.browser_user_id(browser.request)
    assert scripted.calls[0]["session_id"] == browser.sid and len(browser.sid) == 64
    assert user_id.startswith("anon-") and browser.token[:16] not in user_id
    assert scripted.calls[0]["diversity"] == 0.4 and scripted.calls[0]["user_id"] == user_id
    with session_scope() as s:
        stored = s.scalars(
            __import__("sqlalchemy").select(Message.id).where(Message.session_id == browser.sid)
        ).all()
    assert ids == stored  # every chat entry maps to its DB row


def test_reload_restores_history_and_sessions_are_isolated(scripted):
    alice, bob = Browser(), Browser()
    run_turn("shoe", alice)
    run_turn("hello <script>alert(1)</script>", bob)
    assert alice.sid != bob.sid
    messages, ids, state, products, *cards = shopper.restore(alice.state, alice.request)
    assert [m["content"] for m in messages] == ["shoe", "Here are 2 shoes for you."]
    assert [p["id"] for p in products] == ["p1", "p2"] and state == alice.state
    bob_messages = shopper.restore(bob.state, bob.request)[0]
    assert "shoe" not in " ".join(m["content"] for m in bob_messages)
    assert all("<script>" not in m["content"] for m in bob_messages)
    assert bob_messages[0]["content"] == "hello &lt;script&gt;alert(1)&lt;/script&gt;"
    # alice's browser state (or her conversation's id) under another cookie shows nothing of hers
    for state in (alice.state, {"session_id": alice.sid}, {"conversation": alice.sid}):
        seen = " ".join(m["content"] for m in shopper.restore(state, bob.request)[0])
        assert "shoe" not in seen
    # a cookie the server never issued, or none, reaches no conversation
    forged = gr.Request(cookies={tokens.COOKIE: "forged.token"}, client={"host": "x"})
    for request in (forged, gr.Request(cookies={}, client={"host": "x"}), None):
        fresh = shopper.restore(alice.state, request)
        assert fresh[0] == [] and fresh[1] == []


def test_thumbs_down_with_reason_stored(scripted):
    browser = Browser()
    _, (messages, _, ids, *_) = run_turn("shoe", browser)
    data = gr.LikeData(None, {"index": 1, "value": messages[1]["content"], "liked": False})
    feedback_id, row = shopper.like(ids, browser.state, data, browser.request)
    assert row["visible"] is True
    shopper.send_reason("wrong colour", feedback_id, browser.state, browser.request)
    named = gr.LikeData(None, {"index": 1, "value": "", "liked": "Wrong products"})
    shopper.like(ids, browser.state, named, browser.request)
    up = gr.LikeData(None, {"index": 1, "value": "", "liked": True})
    shopper.like(ids, browser.state, up, browser.request)
    with session_scope() as s:
        rows = [
            (f.message_id, f.rating, f.reason, f.author)
            for f in s.query(Feedback).order_by(Feedback.id)
        ]
    assert rows == [
        (ids[1], "down", "wrong colour", "shopper"),
        (ids[1], "down", "Wrong products", "shopper"),
        (ids[1], "up", None, "shopper"),
    ]
    # another browser cannot rate this session's message, even with this browser's state
    other = Browser()
    run_turn("hi", other)
    with pytest.raises(gr.Error):
        shopper.like(ids, browser.state, data, other.request)


def test_shopper_reasons_are_capped_in_all(scripted):
    """One reason over 1,000 characters, or reasons that together pass it, are refused with a
    clear message and nothing is added (each send used to append up to 1,000 more)."""
    browser = Browser()
    _, (messages, _, ids, *_) = run_turn("shoe", browser)
    down = gr.LikeData(None, {"index": 1, "value": "", "liked": False})
    feedback_id, _ = shopper.like(ids, browser.state, down, browser.request)
    with pytest.raises(gr.Error, match="1,001 characters; keep it under 1,000"):
        shopper.send_reason("x" * 1001, feedback_id, browser.state, browser.request)
    shopper.send_reason("y" * 600, feedback_id, browser.state, browser.request)
    with pytest.raises(gr.Error, match="1,000 characters of reasons already"):
        shopper.send_reason("z" * 600, feedback_id, browser.state, browser.request)
    shopper.send_reason(123, feedback_id, browser.state, browser.request)  # not text: ignored
    with session_scope() as s:
        assert s.get(Feedback, feedback_id).reason == "y" * 600


def test_card_buttons_record_events(scripted):
    browser = Browser()
    _, (_, _, _, _, products, *_) = run_turn("shoe", browser)
    shopper.card_action(1, "add_to_cart", products, browser.state, browser.request)
    new_products, box, *cards = shopper.card_action(
        0, "not_for_me", products, browser.state, browser.request
    )
    assert [p["id"] for p in new_products] == ["p2"] and cards[2]["visible"] is False
    _, box, *_ = shopper.card_action(1, "more_like_this", products, browser.state, browser.request)
    assert box == "More like the Road Runner Shoe"
    sid = browser.sid
    assert scripted.events == [
        (sid, "p2", "add_to_cart"),
        (sid, "p1", "not_for_me"),
        (sid, "p2", "more_like_this"),
    ]


def test_agent_flow_reaches_shopper(scripted, staff_request):
    as_agent = staff_request("agent")
    browser = Browser()
    _, (messages, _, ids, *_) = run_turn("I need help with my order", browser)
    sid = browser.sid
    assert shopper.poll(browser.state, ids, browser.request) == (gr.skip(), gr.skip())
    rows, picker = agent_view.queue(as_agent)
    assert rows[0][0] == sid[:12] and picker["choices"][0][1] == sid
    transcript, state, draft_text, suggestions, draft_state = agent_view.open_session(sid, as_agent)
    assert (
        draft_text == "Draft answer to: I need help with my order"
        and "Trail Runner Shoe" in suggestions
    )
    agent_view.take_over(sid, as_agent)
    agent_view.send(sid, "Hi, I am <b>Sam</b>, looking now.", draft_state, as_agent)
    assert shopper.poll(browser.state, ids, Browser().request) == (gr.skip(), gr.skip())
    polled, polled_ids = shopper.poll(browser.state, ids, browser.request)
    assert (
        polled[-1]["content"] == "**Support agent:** Hi, I am &lt;b&gt;Sam&lt;/b&gt;, looking now."
    )
    assert len(polled_ids) == len(ids) + 1
    with session_scope() as s:
        sent = s.query(Message).filter_by(session_id=sid, role="agent").one()
        assert (sent.draft, sent.text) == (draft_text, "Hi, I am <b>Sam</b>, looking now.")
    # while the agent has the session, the bot stays silent
    _, (messages2, _, ids2, *_rest) = run_turn("thanks", browser, polled, polled_ids)
    assert (
        messages2[-1] == {"role": "user", "content": "thanks"} and len(ids2) == len(polled_ids) + 1
    )
    with session_scope() as s:
        roles = [m.role for m in s.query(Message).filter_by(session_id=sid).order_by(Message.id)]
    assert roles == ["user", "assistant", "agent", "user"]
    agent_view.hand_back(sid, as_agent)
    with session_scope() as s:
        assert s.get(ChatSession, sid).mode == "bot"


@pytest.mark.parametrize(
    "cookies",
    [{}, {"aisle_staff": "forged-token"}, {"aisle_staff": ""}, {"session": "admin"}],
)
def test_agent_handlers_refuse_without_sign_in(scripted, staff_request, cookies):
    browser = Browser()
    run_turn("shoe", browser)
    sid = browser.sid
    request = gr.Request(cookies=cookies, client={"host": "x"}, session_hash="known-hash")
    for call in (
        lambda: agent_view.queue(request),
        lambda: agent_view.open_session(sid, request),
        lambda: agent_view.draft(sid, request),
        lambda: agent_view.send(sid, "hacked", None, request),
        lambda: agent_view.take_over(sid, request),
        lambda: agent_view.hand_back(sid, request),
        lambda: dashboard_view.refresh(30, request),
        lambda: dashboard_view.export("sft", request),
        lambda: dashboard_view.rollback(request),
        lambda: dashboard_view.promote("v1", request),
        lambda: dashboard_view.retrain(request),
        lambda: dashboard_view.retrain_status(request),
    ):
        with pytest.raises(gr.Error, match="sign in"):
            call()
    assert agent_view.refresh_transcript(sid, request) == (gr.skip(), gr.skip())
    assert agent_view.on_load(request)[1]["visible"] is False  # the workspace stays hidden
    with session_scope() as s:
        assert s.query(Message).filter_by(role="agent").count() == 0
        assert s.get(ChatSession, sid).mode == "bot"
    with pytest.raises(gr.Error, match="admin"):
        dashboard_view.refresh(30, staff_request("agent"))  # agents do not see the dashboard


def test_page_load_shows_the_workspace_to_a_signed_in_cookie(scripted, staff_request):
    form, workspace, status, rows, picker = agent_view.on_load(staff_request("agent"))
    assert form["visible"] is False and workspace["visible"] is True
    assert status == "Signed in as agent (agent)." and rows == []
    form, workspace, status, *rest = dashboard_view.on_load(7, staff_request("agent"))
    assert workspace["visible"] is False and rest == [gr.skip()] * dashboard_view.DASH_OUTPUTS
    form, workspace, status, *rest = dashboard_view.on_load(7, staff_request("admin"))
    assert workspace["visible"] is True and len(rest) == dashboard_view.DASH_OUTPUTS


def test_dashboard_refresh_and_export(scripted, staff_request):
    as_admin = staff_request("admin")
    browser = Browser()
    _, (messages, _, ids, *_) = run_turn("shoe", browser)
    up = gr.LikeData(None, {"index": 1, "value": "", "liked": True})
    shopper.like(ids, browser.state, up, browser.request)
    text, conv, thumbs, handoff, intents, zero, viol, lat, versions, choices = (
        dashboard_view.refresh(7, as_admin)
    )
    assert (
        int(conv["conversations"].iloc[-1]) == 1 and float(thumbs["thumbs_up_rate"].iloc[-1]) == 1.0
    )
    assert "constraint violations: **0**" in text
    assert intents.values.tolist() == [["search_products", 1]]
    link, status = dashboard_view.export("sft", as_admin)
    assert status.startswith("Exported") and link["visible"]
    assert 'href="/staff/exports/' in link["value"] and ".jsonl" in link["value"]
    from assistant.settings import get_settings

    files = list((get_settings().home / "exports").glob("*.jsonl"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o077 == 0  # under the home, private
    with session_scope() as s:
        assert s.query(InteractionEvent).count() == 0


def test_dashboard_promote_and_rollback_use_the_registry(store, tmp_path, staff_request):
    as_admin = staff_request("admin")
    from datetime import datetime

    from assistant.store.models import ModelVersion

    with session_scope() as s:
        for version, status, promoted in (
            ("v1", "live", datetime(2026, 1, 1)),
            ("v2", "candidate", None),
        ):
            folder = tmp_path / version
            folder.mkdir()
            (folder / "model.pt").write_bytes(b"x")
            s.add(
                ModelVersion(
                    id=version,
                    path=str(folder),
                    status=status,
                    promoted_at=promoted,
                    metrics={"macro_f1": 0.8},
                )
            )

    def statuses():
        with session_scope() as s:
            return {v.id: v.status for v in s.query(ModelVersion)}

    assert dashboard_view.promote("v2", as_admin)["promoted"] == "v2"
    assert statuses() == {"v1": "retired", "v2": "live"}
    dashboard_view.rollback(as_admin)
    assert statuses() == {"v1": "live", "v2": "retired"}
    with pytest.raises(gr.Error, match="unknown model version"):
        dashboard_view.promote("nope", as_admin)


def test_retrain_runs_in_the_background(scripted, monkeypatch, staff_request):
    as_admin = staff_request("admin")
    import threading

    import assistant.nlu.training as training

    release = threading.Event()
    seen = {}

    def fake_train(extra_examples=(), progress=True, **_):
        seen["examples"] = list(extra_examples)
        release.wait(10)
        return {"version": "v9", "promoted": True}

    monkeypatch.setattr(training, "train_dialogue", fake_train)
    first = dashboard_view.retrain(as_admin)
    assert first["state"] == "running"
    assert (
        dashboard_view.retrain(as_admin)["state"] == "running"
    )  # a second click does not start another
    release.set()
    for _ in range(100):
        status = dashboard_view.retrain_status(as_admin)
        if status["state"] != "running":
            break
        __import__("time").sleep(0.05)
    assert status == {
        "state": "done",
        "feedback_examples": len(seen["examples"]),
        "version": "v9",
        "promoted": True,
        "started_by": "admin",
        "started_at": first["started_at"],
        "finished_at": status["finished_at"],
    }
    # the state is a database row: another replica (another process, same database) sees it
    from assistant import jobs

    assert jobs.latest("retrain").status_dict() == status


def test_cards_take_image_and_options_from_the_catalogue(store):
    from assistant.ui import chat

    [card] = chat.enrich_products(
        [{"id": "p1", "title": "Shown title", "price": 80.0, "reason": "r"}]
    )
    assert card["image_url"] == "https://example.com/p1.jpg"
    assert card["attributes"] == {"color": "blue", "size": "42"}
    assert (card["title"], card["price"]) == ("Shown title", 80.0)  # the turn's values win
