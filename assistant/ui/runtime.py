"""The server's one ``assistant.service.Assistant``: built and warmed once, installed by tests.

The chat handlers (``assistant.ui.chat``), the health checks and the metrics read it here.
"""

from __future__ import annotations

import threading
from typing import Any

_assistant = None
_assistant_lock = threading.Lock()


def get_assistant() -> Any:
    """The process-wide ``assistant.service.Assistant`` (built and warmed on first use)."""
    global _assistant
    with _assistant_lock:
        if _assistant is None:
            from assistant.service import Assistant

            assistant = Assistant()
            assistant.warm_up()
            _assistant = assistant
        return _assistant


def set_assistant(assistant: Any) -> None:
    """Use this assistant (tests, or an app that built one already)."""
    global _assistant
    with _assistant_lock:
        _assistant = assistant


def current_assistant() -> Any | None:
    """The installed assistant, or ``None`` before the first ``get_assistant`` (never builds one)."""
    return _assistant


def assistant_ready() -> bool:
    """True when an assistant is installed and its models are loaded (``warm``)."""
    assistant = _assistant
    return assistant is not None and bool(getattr(assistant, "warm", False))


def warm_up() -> Any:
    """Build the assistant and load every model now (the server calls it before it listens),
    so the first turn is as fast as the tenth. An installed assistant that is not warm yet
    is warmed."""
    assistant = get_assistant()
    if not getattr(assistant, "warm", False):
        assistant.warm_up()
    return assistant
