"""Re-export of :mod:`assistant.core.errors` for the callers inside ``assistant``."""

from assistant.core.errors import NotAvailableYet, UserError

__all__ = ["NotAvailableYet", "UserError"]
