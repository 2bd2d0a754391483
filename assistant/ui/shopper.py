"""Event handlers of the shopper page. They return plain values and ``gr.update``s,
so tests call them directly; ``assistant/ui/app.py`` only wires them to components.

Which conversation a request is about comes from the server: the ``aisle_shopper`` cookie
(HttpOnly, issued by ``assistant.ui.tokens.ShopperCookieMiddleware``) that every handler reads
from ``gr.Request``, and the browser's conversation number (``{"conversation"}`` in a
``gr.BrowserState``, changed by "New conversation"). Nothing the page sends besides the cookie
names a stored conversation, so one browser never reaches another's; the history is always
read back from the database, so a reload shows the same conversation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr
from starlette.concurrency import run_in_threadpool

from assistant import notify
from assistant.errors import UserError
from assistant.ui import chat, tokens
from assistant.ui.render import card_html, escape_text

logger = logging.getLogger(__name__)

MAX_CARDS = 6
STREAM_WORDS = 3
STREAM_DELAY_S = 0.03
WATCH_S = 20.0  # one timer tick waits this long for an agent's message, then the next starts
FEEDBACK_REASONS = ("Wrong products", "Did not answer", "Wrong information", "Too long")


def empty_browser() -> dict[str, Any]:
    return {"conversation": ""}


def _browser(value: Any) -> dict[str, Any]:
    """The browser's state with only what the server reads from it (its conversation number)."""
    number = value.get("conversation") if isinstance(value, dict) else None
    return {"conversation": tokens.clean_number(number)}


def card_outputs(products: list[dict[str, Any]]) -> list[Any]:
    """For each card slot: the column's visibility, then the card's HTML."""
    out: list[Any] = []
    for i in range(MAX_CARDS):
        product = products[i] if i < len(products) else None
        out.append(gr.update(visible=product is not None))
        out.append(card_html(product) if product else "")
    return out


def restore(browser: Any, request: gr.Request = None) -> tuple[Any, ...]:
    """Page load: the conversation of this browser's cookie from the database (or a fresh start).

    Returns: chatbot messages, message ids, browser state, products, then the card outputs.
    """
    browser = _browser(browser)
    history = chat.load_history(chat.browser_conversation(request, browser))
    history = chat.History(
        history.messages, history.message_ids, chat.enrich_products(history.products), history.mode
    )
    return (
        history.messages,
        history.message_ids,
        browser,
        history.products,
        *card_outputs(history.products),
    )


def submit(
    message: str,
    messages: list[dict[str, Any]],
    message_ids: list[int | None],
    browser: Any,
    diversity: float,
    request: gr.Request = None,
) -> Iterator[tuple[Any, ...]]:
    """Send one message and stream the reply (``request``: Gradio's: the shopper cookie names
    the conversation, and the client address keys the verification back-off).

    Yields: chatbot messages, textbox value, message ids, browser state, products, then cards.
    """
    browser = _browser(browser)
    messages = list(messages or [])
    message_ids = list(message_ids or [])
    text = (message or "").strip()
    if not text:
        raise gr.Error("Type a question or what you are looking for.")
    messages.append(chat.chat_entry("user", text))
    message_ids.append(None)
    yield ([*messages], "", [*message_ids], browser, gr.skip(), *[gr.skip()] * (2 * MAX_CARDS))
    # without a server-issued cookie the turn goes to a conversation nobody can reach again
    session_id = chat.browser_conversation(request, browser) or tokens.conversation_id(tokens.issue())
    try:
        result = chat.shopper_turn(text, session_id, chat.browser_user_id(request), diversity,
                                   client=chat.client_address(request))
    except UserError as err:
        raise gr.Error(str(err)) from err
    if result.action in chat.WAITING_ACTIONS:  # an agent has the conversation: no bot reply
        if result.reply:
            gr.Info(result.reply)
        message_ids[-1] = result.message_id
        yield (messages, "", message_ids, browser, gr.skip(), *[gr.skip()] * (2 * MAX_CARDS))
        return
    # The user message id is the one stored just before the reply.
    message_ids[-1] = _user_message_id(result.session_id, result.message_id)
    words = escape_text(result.reply).split(" ")
    messages.append({"role": "assistant", "content": ""})
    message_ids.append(result.message_id)
    for end in range(STREAM_WORDS, len(words) + STREAM_WORDS, STREAM_WORDS):
        messages[-1] = {"role": "assistant", "content": " ".join(words[:end])}
        yield ([*messages], "", [*message_ids], browser, gr.skip(), *[gr.skip()] * (2 * MAX_CARDS))
        time.sleep(STREAM_DELAY_S)
    products = chat.enrich_products(list(result.products))
    yield (messages, "", message_ids, browser, products, *card_outputs(products))


def _user_message_id(session_id: str, reply_id: int) -> int | None:
    previous = [
        i for i, role in chat.messages_after(session_id, 0) if i < reply_id and role == "user"
    ]
    return previous[-1] if previous else None


def poll(browser: Any, message_ids: list[int | None], request: gr.Request = None) -> tuple[Any, Any]:
    """When an agent wrote in this session, reload the chat from the database (at once)."""
    session_id = chat.browser_conversation(request, _browser(browser))
    if not _agent_wrote(session_id, message_ids):
        return gr.skip(), gr.skip()
    history = chat.load_history(session_id)
    return history.messages, history.message_ids


def _agent_wrote(session_id: str | None, message_ids: list[int | None] | None) -> bool:
    known = max((i for i in (message_ids or []) if isinstance(i, int)), default=0)
    return any(role == "agent" for _, role in chat.messages_after(session_id, known))


async def watch(
    browser: Any, message_ids: list[int | None], request: gr.Request = None
) -> tuple[Any, Any]:
    """Timer tick: wait up to ``WATCH_S`` for an agent's message in this session, woken by
    ``assistant.notify`` (PostgreSQL or Redis: at once, from any replica; SQLite: a re-read
    every 2 s), then reload the chat. Holds no thread while it waits."""
    session_id = chat.browser_conversation(request, _browser(browser))
    if not session_id:
        return gr.skip(), gr.skip()
    wrote = await notify.wait_for_async(
        session_id, lambda: _agent_wrote(session_id, message_ids), WATCH_S
    )
    if not wrote:
        return gr.skip(), gr.skip()
    history = await run_in_threadpool(chat.load_history, session_id)
    return history.messages, history.message_ids


def like(
    message_ids: list[int | None], browser: Any, data: gr.LikeData, request: gr.Request = None
) -> tuple[Any, Any]:
    """Thumbs on a message: stored as feedback. After a thumbs down, ask for a reason.

    Returns: the feedback id (state) and the reason row's visibility.
    """
    index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    ids = message_ids or []
    message_id = ids[index] if isinstance(index, int) and 0 <= index < len(ids) else None
    if message_id is None:
        raise gr.Error("This message cannot be rated yet.")
    try:
        feedback_id = chat.add_thumbs(
            chat.browser_conversation(request, _browser(browser)), message_id, data.liked
        )
    except UserError as err:
        raise gr.Error(str(err)) from err
    disliked = data.liked is not True and data.liked != "Like" and data.liked is not None
    return feedback_id, gr.update(visible=bool(disliked and feedback_id))


def send_reason(
    reason: str, feedback_id: int | None, browser: Any, request: gr.Request = None
) -> tuple[Any, Any]:
    """The optional free-text reason after a thumbs down. Returns: textbox value, row visibility."""
    try:
        stored = chat.add_reason(
            chat.browser_conversation(request, _browser(browser)), feedback_id, reason
        )
    except UserError as err:
        raise gr.Error(str(err)) from err
    if stored:
        gr.Info("Thanks, noted.")
    return "", gr.update(visible=False)


def card_action(
    slot: int, kind: str, products: list[dict[str, Any]], browser: Any, request: gr.Request = None
) -> tuple[Any, ...]:
    """A card button, recorded as an event. ``not_for_me`` hides the card; ``more_like_this``
    also puts a follow-up request in the message box (the app then sends it).

    Returns: products, the message box, then card outputs.
    """
    session_id = chat.browser_conversation(request, _browser(browser))
    products = list(products or [])
    unchanged = (gr.skip(), gr.skip(), *[gr.skip()] * (2 * MAX_CARDS))
    if slot >= len(products):
        return unchanged
    product = products[slot]
    try:
        chat.record_card_event(session_id, str(product.get("id")), kind)
    except UserError as err:
        raise gr.Error(str(err)) from err
    title = product.get("title") or product.get("id")
    if kind == "add_to_cart":
        gr.Info(f"Added to your cart: {title}")
        return unchanged
    if kind == "more_like_this":
        return (gr.skip(), f"More like the {title}", *[gr.skip()] * (2 * MAX_CARDS))
    products = products[:slot] + products[slot + 1 :]
    return (products, gr.skip(), *card_outputs(products))


def new_conversation(browser: Any) -> tuple[Any, ...]:
    """A new conversation number for this browser (the old conversation stays in the database)."""
    browser = {"conversation": tokens.new_conversation_number()}
    return ([], [], browser, [], *card_outputs([]))
