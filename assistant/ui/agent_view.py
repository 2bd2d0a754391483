"""Event handlers of the support-agent page. Every handler checks the signed-in
principal server-side (``assistant.auth.require``) before touching any session: the
principal lives in a server-side ``gr.State`` that a browser cannot forge.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant import agent
from assistant.auth import AccessDenied, Principal, authenticate, require
from assistant.errors import UserError
from assistant.store.db import session_scope
from assistant.ui.chat import AGENT_PREFIX, get_assistant
from assistant.ui.render import escape_text, products_markdown

logger = logging.getLogger(__name__)

QUEUE_COLUMNS = ["session", "status", "customer", "messages", "last message"]


def _check(principal: Any, role: str = "agent") -> Principal:
    try:
        return require(principal, role)  # type: ignore[arg-type]
    except AccessDenied as err:
        raise gr.Error(str(err)) from err


def sign_in(username: str, password: str, role: str = "agent") -> tuple[Any, Any, Any, str]:
    """Returns: principal (state), sign-in column, workspace column, status text."""
    principal = authenticate(username, password)
    if principal is None or not principal.can(role):  # type: ignore[arg-type]
        return (
            None,
            gr.update(visible=True),
            gr.update(visible=False),
            "Wrong user name or password.",
        )
    return (
        principal,
        gr.update(visible=False),
        gr.update(visible=True),
        f"Signed in as {principal.username}.",
    )


def sign_out() -> tuple[Any, Any, Any, str]:
    return None, gr.update(visible=True), gr.update(visible=False), "Signed out."


def queue(principal: Any) -> tuple[list[list[Any]], Any]:
    """Returns: queue rows (handed-off first) and the session picker's choices."""
    _check(principal)
    with session_scope() as s:
        items = agent.list_queue(s)
    rows, choices = [], []
    for item in items:
        status = "HANDOFF" if item.handoff else ("agent" if item.mode == "agent" else "bot")
        rows.append(
            [item.session_id[:12], status, item.customer_id or "", item.messages, item.last_text]
        )
        label = f"{'⚑ ' if item.handoff else ''}{item.session_id[:8]} · {status} · {item.last_text[:40]}"
        choices.append((label, item.session_id))
    return rows, gr.update(choices=choices)


def transcript_messages(view: agent.SessionView) -> list[dict[str, Any]]:
    out = []
    for line in view.transcript:
        if line.role == "user":
            out.append({"role": "user", "content": escape_text(line.text)})
        elif line.role in ("assistant", "agent"):
            prefix = AGENT_PREFIX if line.role == "agent" else ""
            out.append({"role": "assistant", "content": prefix + escape_text(line.text)})
    return out


def open_session(principal: Any, session_id: str | None) -> tuple[Any, Any, Any, Any, Any]:
    """Transcript, dialogue state, the assistant's draft and its suggested products.

    Returns: transcript, state JSON, draft text, suggestions Markdown, draft (state).
    """
    _check(principal)
    if not session_id:
        return [], {}, "", "", None
    try:
        with session_scope() as s:
            view = agent.session_view(s, session_id)
    except UserError as err:
        raise gr.Error(str(err)) from err
    draft_text, suggestions = draft(principal, session_id)
    return transcript_messages(view), view.state_dict(), draft_text, suggestions, draft_text


def refresh_transcript(principal: Any, session_id: str | None) -> tuple[Any, Any]:
    """Timer tick: the selected session's transcript and state (no new draft)."""
    if principal is None or not session_id:
        return gr.skip(), gr.skip()
    _check(principal)
    with session_scope() as s:
        try:
            view = agent.session_view(s, session_id)
        except UserError:
            return gr.skip(), gr.skip()
    return transcript_messages(view), view.state_dict()


def draft(principal: Any, session_id: str | None) -> tuple[str, str]:
    """The assistant's drafted reply to the latest shopper message, and its products."""
    _check(principal)
    if not session_id:
        return "", ""
    try:
        result = get_assistant().draft_reply(session_id)
    except UserError as err:
        return "", f"_No draft: {escape_text(str(err))}_"
    except Exception:  # the agent can still write by hand
        logger.exception("draft_reply failed for session %s", session_id)
        return "", "_No draft: the assistant failed on this session (see the server log)._"
    return result.reply, products_markdown(list(result.products))


def send(
    principal: Any, session_id: str | None, text: str, draft_text: str | None
) -> tuple[Any, Any, str]:
    """Send the (edited) draft: stored as an agent message with the draft beside it.

    Returns: transcript, state JSON, cleared textbox.
    """
    who = _check(principal)
    if not session_id:
        raise gr.Error("Pick a session from the queue first.")
    try:
        with session_scope() as s:
            agent.send_agent_message(
                s, session_id, text, draft=draft_text or None, agent=who.username
            )
        with session_scope() as s:
            view = agent.session_view(s, session_id)
    except UserError as err:
        raise gr.Error(str(err)) from err
    gr.Info("Sent.")
    return transcript_messages(view), view.state_dict(), ""


def take_over(principal: Any, session_id: str | None) -> dict[str, Any]:
    """The agent answers from now on. Returns: state JSON."""
    who = _check(principal)
    return _set_mode(session_id, lambda s: agent.take_over(s, session_id, agent=who.username))


def hand_back(principal: Any, session_id: str | None) -> dict[str, Any]:
    """The bot answers again. Returns: state JSON."""
    _check(principal)
    return _set_mode(session_id, lambda s: agent.hand_back(s, session_id))


def _set_mode(session_id: str | None, action: Any) -> dict[str, Any]:
    if not session_id:
        raise gr.Error("Pick a session from the queue first.")
    try:
        with session_scope() as s:
            action(s)
        with session_scope() as s:
            return agent.session_view(s, session_id).state_dict()
    except UserError as err:
        raise gr.Error(str(err)) from err
