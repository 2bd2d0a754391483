"""Re-export of :mod:`assistant.core.errors` for the callers inside ``assistant``."""

from assistant.core.errors import UserError

__all__ = ["UserError"]
