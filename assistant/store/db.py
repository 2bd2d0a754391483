"""Re-export of :mod:`assistant.core.db` (engine and sessions) for the callers inside ``assistant``."""

from assistant.core.db import (
    Base,
    get_engine,
    is_busy,
    make_engine,
    session_factory,
    session_scope,
    write_scope,
)

__all__ = [
    "Base",
    "get_engine",
    "is_busy",
    "make_engine",
    "session_factory",
    "session_scope",
    "write_scope",
]
