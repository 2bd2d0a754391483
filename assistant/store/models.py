"""Re-export of :mod:`assistant.core.models` (the SQLAlchemy models) for the callers inside ``assistant``."""

from assistant.core.models import (
    USER_ID_CHARS,
    Base,
    CatalogState,
    ChatSession,
    Customer,
    Document,
    Feedback,
    InteractionEvent,
    Job,
    Message,
    ModelVersion,
    Order,
    Product,
    RateLimit,
)

__all__ = [
    "USER_ID_CHARS",
    "Base",
    "CatalogState",
    "ChatSession",
    "Customer",
    "Document",
    "Feedback",
    "InteractionEvent",
    "Job",
    "Message",
    "ModelVersion",
    "Order",
    "Product",
    "RateLimit",
]
