"""End-to-end tests in headless Chromium (Debian ``chromium`` + Playwright).

One server per test session: ``aisle serve`` in a subprocess on a free port, on a home
holding the demo store, its indexes and the default dialogue model (see ``live_home`` in
``conftest.py``). Set ``AISLE_SCREENSHOT_DIR=docs`` to refresh the README screenshots.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 90_000  # the first turn waits for the server's warm-up on a busy 2-core machine
SHOTS = os.environ.get("AISLE_SCREENSHOT_DIR")

# Checked before any fixture runs, so a machine without a browser never builds the live home.
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)
try:
    from playwright.sync_api import sync_playwright
except ImportError:
    pytest.skip(
        "playwright for Python is not installed (pip install playwright)", allow_module_level=True
    )


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def new_page(browser):
    """Each call opens a fresh browser context: a different shopper (own localStorage)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def db_rows(server, sql: str, **params):
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def send(page, message: str) -> None:
    page.fill("#shopper-input textarea", message)
    page.click("#shopper-send")


def bot_messages(page):
    return page.locator("#shopper-chat .message.bot")


def session_of(server, marker: str) -> str:
    rows = wait_for(
        lambda: db_rows(
            server, "SELECT session_id FROM messages WHERE text LIKE :m", m=f"%{marker}%"
        )
    )
    return rows[0][0]


def test_chat_cards_thumbs_down_and_reload(live_server, new_page):
    page = new_page()
    page.goto(live_server.url)
    send(page, "I'm looking for a t-shirt")
    page.wait_for_selector(".aisle-card")
    cards = page.locator(".aisle-card")
    assert cards.count() >= 1
    assert re.search(r"\$\d", cards.first.inner_text())
    reply = bot_messages(page).last.inner_text()
    assert reply.strip()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "shopper.png"))

    page.locator("#shopper-chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#feedback-reason textarea")
    page.fill("#feedback-reason textarea", "not my style")
    page.keyboard.press("Enter")
    sid = session_of(live_server, "looking for a t-shirt")
    rows = wait_for(
        lambda: db_rows(
            live_server,
            "SELECT f.rating, f.reason, f.author FROM feedback f JOIN messages m ON m.id = f.message_id "
            "WHERE m.session_id = :sid AND f.reason IS NOT NULL",
            sid=sid,
        )
    )
    assert rows == [("down", "not my style", "shopper")]

    page.reload()
    page.wait_for_selector("#shopper-chat .message.user")
    page.wait_for_function(
        "document.querySelector('#shopper-chat').innerText.includes(\"I'm looking for a t-shirt\")"
    )
    assert (
        page.locator(".aisle-card").count() == cards.count()
        or page.locator(".aisle-card").count() >= 1
    )

    # the conversation belongs to the server's HttpOnly cookie, which page scripts cannot read
    cookie = next(c for c in page.context.cookies() if c["name"] == "aisle_shopper")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "aisle_shopper" not in page.evaluate("document.cookie")
    assert sid == hashlib.sha256(f"{cookie['value']}\n".encode()).hexdigest()

    other = new_page()  # another shopper never sees this conversation
    other.goto(live_server.url)
    other.wait_for_selector("#shopper-input textarea")
    time.sleep(1.5)
    assert "t-shirt" not in other.locator("#shopper-chat").inner_text()
    # not even with this browser's own page state copied into it
    state = page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")
    other.evaluate("(s) => { for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v) }", state)
    other.reload()
    other.wait_for_selector("#shopper-input textarea")
    time.sleep(1.5)
    assert "t-shirt" not in other.locator("#shopper-chat").inner_text()


def test_script_in_a_message_is_shown_as_text(live_server, new_page):
    page = new_page()
    page.goto(live_server.url)
    payload = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> hello'
    send(page, payload)
    page.wait_for_function(
        "document.querySelector('#shopper-chat .message.user') && "
        "document.querySelector('#shopper-chat .message.user').innerText.includes('<script>')"
    )
    user_text = page.locator("#shopper-chat .message.user").last.inner_text()
    assert "<script>window.__pwned = 1</script>" in user_text
    bot_messages(page).last.wait_for()
    time.sleep(1)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#shopper-chat script").count() == 0
    assert page.locator("#shopper-chat img[src='x']").count() == 0


def test_agent_pages_need_sign_in(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "agent")
    page.wait_for_selector("#agent-user")
    assert not page.locator("#agent-transcript").is_visible()
    page.fill("#agent-user", "agent")
    page.fill("#agent-password", "wrong-password")
    page.click("#agent-sign-in")
    page.wait_for_function("document.body.innerText.includes('Wrong user name or password')")
    assert not page.locator("#agent-transcript").is_visible()
    # the session lives in an HttpOnly cookie that page scripts cannot read
    assert "aisle_staff" not in page.evaluate("document.cookie")
    page.goto(live_server.url + "dashboard")
    page.wait_for_selector("#admin-user")
    assert page.locator(".vega-embed").count() == 0


def test_agent_edits_draft_and_shopper_sees_it(live_server, new_page):
    question = "Do you have running shoes? I am not sure which ones to pick."
    shopper = new_page()
    shopper.goto(live_server.url)
    send(shopper, question)
    bot_messages(shopper).first.wait_for()
    sid = session_of(live_server, question)

    agent = new_page()
    agent.goto(live_server.url + "agent")
    agent.fill("#agent-user", "agent")
    agent.fill("#agent-password", "aisle-agent")
    agent.click("#agent-sign-in")
    agent.wait_for_selector("#agent-session input")
    cookie = next(c for c in agent.context.cookies() if c["name"] == "aisle_staff")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "aisle_staff" not in agent.evaluate("document.cookie")
    agent.click("#agent-session input")
    agent.locator("#agent-session li[role=option]", has_text=sid[:8]).click()
    agent.wait_for_function("document.querySelector('#agent-reply textarea').value.length > 0")
    draft = agent.input_value("#agent-reply textarea")
    greeting = f"Hi, Sam from the store team here (ticket {uuid.uuid4().hex[:4]})."
    edited = f"{greeting} {draft}"
    agent.fill("#agent-reply textarea", edited)
    if SHOTS:
        agent.screenshot(path=str(Path(SHOTS) / "agent.png"), full_page=True)
    agent.click("#agent-send")

    shopper.wait_for_function(
        f"document.querySelector('#shopper-chat').innerText.includes('{greeting}')",
        timeout=30_000,
    )
    rows = wait_for(
        lambda: db_rows(
            live_server,
            "SELECT draft, text FROM messages WHERE session_id = :sid AND role = 'agent'",
            sid=sid,
        )
    )
    assert rows == [(draft, edited)]


def test_dashboard_shows_plots_and_versions(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "dashboard")
    page.fill("#admin-user", "admin")
    page.fill("#admin-password", "aisle-admin")
    page.click("#admin-sign-in")
    page.wait_for_function("document.body.innerText.includes('constraint violations')")
    page.wait_for_selector(".vega-embed")
    body = page.locator("body").inner_text()
    assert "Dialogue model versions" in body and "live" in body
    if SHOTS:
        time.sleep(2)
        page.screenshot(path=str(Path(SHOTS) / "dashboard.png"), full_page=True)
