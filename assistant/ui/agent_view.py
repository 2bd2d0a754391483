"""Event handlers of the support-agent page. Every handler resolves the staff session
from the request's HttpOnly cookie on the server (``assistant.staff``) before it touches
any session; no value a client sends (component values, ``session_hash``) signs it in.
The sign-in form posts to ``/staff/login`` (``assistant.staff.routes``), not to Gradio.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant import notify
from assistant.errors import UserError
from assistant.staff import agent, staff_session
from assistant.staff.auth import AccessDenied, Principal, Role
from assistant.staff.sessions import StaffSession
from assistant.store.db import session_scope
from assistant.ui.chat import AGENT_PREFIX, get_assistant
from assistant.ui.render import escape_text, products_markdown

logger = logging.getLogger(__name__)

QUEUE_COLUMNS = ["session", "status", "customer", "messages", "last message"]


def signed_in(request: Any, role: Role = "agent", *, touch: bool = True) -> StaffSession:
    """The request's staff session with ``role``, or a ``gr.Error`` asking to sign in."""
    try:
        return staff_session(request, role, touch=touch)
    except AccessDenied as err:
        raise gr.Error(f"{err} (reload the page to see the sign-in form)") from err


def _check(request: Any, role: Role = "agent") -> Principal:
    return signed_in(request, role).principal


def panels(request: Any, role: Role = "agent") -> tuple[Any, Any, str, bool]:
    """Page load: sign-in form or workspace. Returns: form column, workspace column, status
    text, and whether the request is signed in with ``role``."""
    try:
        who = staff_session(request, role).principal
    except AccessDenied:
        return gr.update(visible=True), gr.update(visible=False), "", False
    return (
        gr.update(visible=False),
        gr.update(visible=True),
        f"Signed in as {escape_text(who.username)} ({who.role}).",
        True,
    )


def on_load(request: gr.Request) -> tuple[Any, ...]:
    """Returns: sign-in column, workspace column, status, queue rows, session picker."""
    form, workspace, status, ok = panels(request)
    if not ok:
        return form, workspace, status, gr.skip(), gr.skip()
    return (form, workspace, status, *queue(request))


def queue(request: gr.Request) -> tuple[list[list[Any]], Any]:
    """Returns: queue rows (handed-off first) and the session picker's choices."""
    _check(request)
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


def open_session(session_id: str | None, request: gr.Request) -> tuple[Any, Any, Any, Any, Any]:
    """Transcript, dialogue state, the assistant's draft and its suggested products.

    Returns: transcript, state JSON, draft text, suggestions Markdown, draft (state).
    """
    _check(request)
    if not session_id:
        return [], {}, "", "", None
    try:
        with session_scope() as s:
            view = agent.session_view(s, session_id)
    except UserError as err:
        raise gr.Error(str(err)) from err
    draft_text, suggestions = draft(session_id, request)
    return transcript_messages(view), view.state_dict(), draft_text, suggestions, draft_text


def refresh_transcript(session_id: str | None, request: gr.Request) -> tuple[Any, Any]:
    """Timer tick: the selected session's transcript and state (no new draft). A tick is
    not a person's action: it does not keep the sign-in alive, and without one it is silent."""
    try:
        staff_session(request, touch=False)
    except AccessDenied:
        return gr.skip(), gr.skip()
    if not session_id:
        return gr.skip(), gr.skip()
    with session_scope() as s:
        try:
            view = agent.session_view(s, session_id)
        except UserError:
            return gr.skip(), gr.skip()
    return transcript_messages(view), view.state_dict()


def draft(session_id: str | None, request: gr.Request) -> tuple[str, str]:
    """The assistant's drafted reply to the latest shopper message, and its products."""
    _check(request)
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
    session_id: str | None, text: str, draft_text: str | None, request: gr.Request
) -> tuple[Any, Any, str]:
    """Send the (edited) draft: stored as an agent message with the draft beside it.

    Returns: transcript, state JSON, cleared textbox.
    """
    who = _check(request)
    if not session_id:
        raise gr.Error("Pick a session from the queue first.")
    try:
        with session_scope() as s:
            agent.send_agent_message(
                s, session_id, text, draft=draft_text or None, agent=who.username
            )
        notify.publish(session_id)  # stored first; this only wakes the shopper's page
        with session_scope() as s:
            view = agent.session_view(s, session_id)
    except UserError as err:
        raise gr.Error(str(err)) from err
    gr.Info("Sent.")
    return transcript_messages(view), view.state_dict(), ""


def take_over(session_id: str | None, request: gr.Request) -> dict[str, Any]:
    """The agent answers from now on. Returns: state JSON."""
    who = _check(request)
    return _set_mode(session_id, lambda s: agent.take_over(s, session_id, agent=who.username))


def hand_back(session_id: str | None, request: gr.Request) -> dict[str, Any]:
    """The bot answers again. Returns: state JSON."""
    _check(request)
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
