"""Staff access over raw HTTP (httpx, no gradio_client): the sign-in route, its cookie and
lockout, and every agent/dashboard handler called through Gradio's own queue routes with
no cookie, a forged one, a known ``session_hash``, an expired or signed-out session."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import get_settings
from assistant.staff import COOKIE, get_staff
from assistant.staff.routes import router
from assistant.store.db import session_scope
from assistant.store.models import ChatSession, Message

STAFF_MODULES = {"assistant.ui.agent_view", "assistant.ui.dashboard_view"}
QUIET = {"on_load", "refresh_transcript"}  # without a session: the sign-in form, or nothing


@pytest.fixture()
def server(scripted_server):
    return scripted_server


@pytest.fixture()
def routes(store):
    """Only the staff routes, through Starlette's test client."""
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def sign_in(client: httpx.Client | TestClient, username: str, password: str, next_path="/agent"):
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "next": next_path},
        follow_redirects=False,
    )


def staff_fns(module):
    """(fn_index, name) of every event handler of the agent and dashboard pages."""
    out = [
        (index, fn.fn.__name__)
        for index, fn in module.demo.fns.items()
        if getattr(fn.fn, "__module__", None) in STAFF_MODULES
    ]
    assert len(out) >= 15
    return out


def call(client: httpx.Client, fn_index: int, data: list, session_hash: str, **kw) -> dict:
    """One event through ``/gradio_api/queue/join`` + ``/queue/data``: the completion message."""
    joined = client.post(
        "/gradio_api/queue/join",
        json={
            "data": data,
            "fn_index": fn_index,
            "session_hash": session_hash,
            "event_data": None,
            "trigger_id": None,
        },
        **kw,
    )
    assert joined.status_code == 200, joined.text
    with client.stream(
        "GET", "/gradio_api/queue/data", params={"session_hash": session_hash}, **kw
    ) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the queue stream ended without a result")


def inputs_for(name: str, sid: str) -> list:
    return {
        "on_load": [],
        "queue": [],
        "open_session": [sid],
        "draft": [sid],
        "send": [sid, "hacked", None],
        "take_over": [sid],
        "hand_back": [sid],
        "refresh_transcript": [sid],
        "refresh": [30],
        "retrain": [],
        "retrain_status": [],
        "export": ["sft"],
        "promote": [None],
        "rollback": [],
    }[name]


def shopper_session(scripted) -> str:
    result = scripted.turn("any shoe?")
    return result.session_id


# ----------------------------------------------------------------- the sign-in route
def test_cookie_is_httponly_strict_and_opaque(routes):
    response = sign_in(routes, "agent", "aisle-agent")
    assert response.status_code == 303 and response.headers["location"] == "/agent"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "Path=/" in cookie
    assert "samesite=strict" in cookie.lower() and "Secure" not in cookie  # plain http here
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 40 and "agent" not in token
    assert get_staff().session(token).principal.username == "agent"


def test_secure_flag_when_configured(routes, monkeypatch):
    monkeypatch.setenv("AISLE_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    get_staff.cache_clear()
    assert "Secure" in sign_in(routes, "agent", "aisle-agent").headers["set-cookie"]


def test_wrong_password_then_lockout_with_back_off(routes):
    for _ in range(4):
        response = sign_in(routes, "admin", "guess")
        assert response.status_code == 401 and "set-cookie" not in response.headers
        assert "Wrong user name or password." in response.text
    locked = sign_in(routes, "admin", "guess")
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) == 30
    for _ in range(25):
        sign_in(routes, "admin", "guess")
    right = sign_in(routes, "admin", "aisle-admin")  # 30 wrong, then the right one: refused
    assert right.status_code == 429 and "set-cookie" not in right.headers
    assert sign_in(routes, "agent", "aisle-agent").status_code == 303  # another user name
    # after the wait, each further failure doubles it; then the right password works again
    throttle, later = get_staff().throttle, [0.0]
    real_clock = throttle.clock
    throttle.clock = lambda: real_clock() + later[0]
    later[0] = 31
    again = sign_in(routes, "admin", "guess")
    assert again.status_code == 429 and int(again.headers["retry-after"]) == 60
    later[0] = 92
    assert sign_in(routes, "admin", "aisle-admin").status_code == 303


def test_cross_site_posts_and_bad_redirects_are_refused(routes):
    evil = {"origin": "https://evil.example"}
    response = routes.post(
        "/staff/login", data={"username": "agent", "password": "aisle-agent"}, headers=evil
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert routes.post("/staff/logout", headers=evil).status_code == 403
    response = routes.post(
        "/staff/login",
        data={"username": "agent", "password": "aisle-agent", "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/agent"
    assert routes.post("/staff/login", content=b"x" * 10_000).status_code == 413


def test_login_page_serves_the_form(routes):
    page = routes.get("/staff/login", params={"next": "/dashboard"})
    assert page.status_code == 200 and 'action="/staff/login"' in page.text
    assert 'id="admin-password"' in page.text and page.headers["cache-control"] == "no-store"


# ----------------------------------------------------------------- every staff handler
def test_no_staff_handler_answers_without_the_cookie(server, scripted):
    url, module = server
    sid = shopper_session(scripted)
    signed = httpx.Client(base_url=url, timeout=30)
    assert sign_in(signed, "admin", "aisle-admin").status_code == 303
    assert call(signed, dict((n, i) for i, n in staff_fns(module))["queue"], [], "browser-1")[
        "success"
    ]
    attackers = {
        "no cookie": httpx.Client(base_url=url, timeout=30),
        "forged cookie": httpx.Client(
            base_url=url, timeout=30, headers={"cookie": f"{COOKIE}=forged-{'x' * 40}"}
        ),
    }
    for label, client in attackers.items():
        # the signed-in browser's session_hash is known: it is not a sign-in
        for fn_index, name in staff_fns(module):
            message = call(client, fn_index, inputs_for(name, sid), "browser-1")
            text = json.dumps(message)
            assert "shoes for you" not in text and "any shoe" not in text, (label, name)
            if name in QUIET:
                continue
            assert message["success"] is False, (label, name)
            assert "sign in" in message["output"]["error"], (label, name)
    with session_scope() as s:
        assert s.query(Message).filter_by(role="agent").count() == 0
        assert s.get(ChatSession, sid).mode == "bot"


def test_staff_handlers_refuse_through_the_named_routes_too(server, scripted):
    """Gradio also runs a private handler by its name (``/gradio_api/call/<name>``); the
    cookie check inside the handler holds there as well."""
    url, module = server
    sid = shopper_session(scripted)
    client = httpx.Client(base_url=url, timeout=30)
    for fn_index, name in staff_fns(module):
        api_name = module.demo.fns[fn_index].api_name
        data = {"data": inputs_for(name, sid)}
        for route in ("run", "api"):
            response = client.post(f"/gradio_api/{route}/{api_name}", json=data)
            assert "shoes for you" not in response.text and "any shoe" not in response.text
            if name not in QUIET:
                assert response.status_code >= 400 or "sign in" in response.text, (route, name)
        started = client.post(f"/gradio_api/call/{api_name}", json=data)
        if started.status_code >= 400:
            continue
        result = client.get(f"/gradio_api/call/{api_name}/{started.json()['event_id']}").text
        assert "shoes for you" not in result and "any shoe" not in result, api_name
        if name not in QUIET:
            assert "event: error" in result and "event: complete" not in result, (api_name, result)
    with session_scope() as s:
        assert s.query(Message).filter_by(role="agent").count() == 0
        assert s.get(ChatSession, sid).mode == "bot"


def test_agent_cookie_works_and_stops_at_sign_out_and_idle(server, scripted):
    url, module = server
    sid = shopper_session(scripted)
    fns = dict((n, i) for i, n in staff_fns(module))
    agent = httpx.Client(base_url=url, timeout=30)
    assert sign_in(agent, "agent", "aisle-agent").status_code == 303
    listed = call(agent, fns["queue"], [], "a1")
    assert listed["success"] and sid in json.dumps(listed["output"]["data"])
    refused = call(agent, fns["refresh"], [30], "a1")
    assert refused["success"] is False and "admin" in refused["output"]["error"]
    # idle: half an hour without a person's action ends the session
    staff = get_staff()
    real_clock = staff.sessions.clock
    staff.sessions.clock = lambda: real_clock() + 31 * 60
    expired = call(agent, fns["queue"], [], "a1")
    assert expired["success"] is False and "sign in" in expired["output"]["error"]
    staff.sessions.clock = real_clock
    # sign out: the old token is dead even if a client kept it
    assert sign_in(agent, "agent", "aisle-agent").status_code == 303
    token = agent.cookies[COOKIE]
    out = agent.post("/staff/logout", data={"next": "/agent"}, follow_redirects=False)
    assert out.status_code == 303 and f'{COOKIE}=""' in out.headers["set-cookie"]
    replay = httpx.Client(base_url=url, timeout=30, headers={"cookie": f"{COOKIE}={token}"})
    assert call(replay, fns["queue"], [], "a2")["success"] is False


def test_export_only_to_its_admin_once_then_removed(server, scripted):
    url, module = server
    shopper_session(scripted)
    fns = dict((n, i) for i, n in staff_fns(module))
    admin = httpx.Client(base_url=url, timeout=30)
    assert sign_in(admin, "admin", "aisle-admin", "/dashboard").headers["location"] == "/dashboard"
    done = call(admin, fns["export"], ["sft"], "d1")
    assert done["success"], done
    link = re.search(r'href="(/staff/exports/[^"]+)"', done["output"]["data"][0]["value"])
    assert link, done
    href = link.group(1)
    files = list((get_settings().home / "exports").glob("*.jsonl"))
    assert len(files) == 1
    # Gradio's file route does not serve anything under the home
    assert admin.get(f"/gradio_api/file={files[0]}").status_code in (403, 404)
    assert httpx.get(url.rstrip("/") + href).status_code == 404  # no cookie
    agent = httpx.Client(base_url=url, timeout=30)
    sign_in(agent, "agent", "aisle-agent")
    assert agent.get(href).status_code == 404  # an agent
    other_admin = httpx.Client(base_url=url, timeout=30)
    sign_in(other_admin, "admin", "aisle-admin")
    assert other_admin.get(href).status_code == 404  # another admin session: the link is not theirs
    got = admin.get(href)
    assert got.status_code == 200 and got.headers["cache-control"] == "no-store"
    for _ in range(50):
        if not files[0].exists():
            break
        time.sleep(0.05)
    assert not files[0].exists()
    assert admin.get(href).status_code == 404  # once
