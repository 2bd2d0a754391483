"""Shared pieces of the service tools: the error type, id normalisation, status names."""

from __future__ import annotations

import re

PENDING = "pending"
PROCESSED = "processed"
DELIVERED = "delivered"
CANCELLED = "cancelled"
PENDING_ITEMS_MODIFIED = "pending (item modified)"
RETURN_REQUESTED = "return requested"
EXCHANGE_REQUESTED = "exchange requested"

CANCEL_REASONS: tuple[str, ...] = ("no longer needed", "ordered by mistake")

_ORDER_ID = re.compile(r"#?\s*([Ww]\d{5,})")


class ToolError(Exception):
    """A policy rule or a missing record forbids the action; the message is for the shopper."""


def normalise_order_id(text: str) -> str | None:
    """``"W2611340"``, ``"#w2611340"`` -> ``"#W2611340"``; ``None`` when no order id is present."""
    match = _ORDER_ID.search(text or "")
    if match is None:
        return None
    return "#" + match.group(1).upper()


def money(value: float) -> str:
    return f"${value:,.2f}"
