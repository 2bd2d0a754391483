"""Item-level writes: modify a pending order's items, return or exchange delivered items.

Policy: a new item must be an available variant of the *same* product with different
options; items changes (modify or exchange) happen once per order; the price
difference is paid or refunded with one of the customer's payment methods (a gift
card must cover it); refunds for returns go to the original method or a gift card.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from assistant.store.models import Product
from assistant.tools.base import (
    DELIVERED,
    EXCHANGE_REQUESTED,
    PENDING,
    PENDING_ITEMS_MODIFIED,
    RETURN_REQUESTED,
    ToolError,
    money,
)
from assistant.tools.orders import (
    _adjust_gift_card,
    _customer,
    _payment_method,
    _require_status,
    get_order,
    order_view,
)

logger = logging.getLogger(__name__)


def _checked_swap(
    session: Session,
    customer_id: str,
    order_id: str,
    status: str,
    verb: str,
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> tuple[Any, Any, dict[str, Any], float, list[dict[str, Any]]]:
    """The checks shared by modify and exchange: the shopper's order in ``status``, a valid
    swap of options, a payment method that can cover the price difference."""
    order = get_order(session, customer_id, order_id)
    _require_status(order, (status,), verb)
    diff, new_items = _swap(session, order, item_ids, new_item_ids)
    customer = _customer(session, customer_id)
    method = _payment_method(customer, payment_method_id)
    _check_gift_card(method, diff)
    return order, customer, method, diff, new_items


def modify_pending_order_items(
    session: Session,
    customer_id: str,
    order_id: str,
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> dict[str, Any]:
    """Swap items of a pending order for other options of the same products (once per order)."""
    order, customer, method, diff, new_items = _checked_swap(
        session, customer_id, order_id, PENDING, "modified", item_ids, new_item_ids, payment_method_id
    )
    if diff != 0:
        order.payment_history = [
            *order.payment_history,
            {
                "transaction_type": "payment" if diff > 0 else "refund",
                "amount": abs(diff),
                "payment_method_id": method["id"],
            },
        ]
        _adjust_gift_card(customer, method["id"], -diff)
    order.items = new_items
    order.status = PENDING_ITEMS_MODIFIED
    return order_view(order)


def return_delivered_order_items(
    session: Session, customer_id: str, order_id: str, item_ids: list[str], payment_method_id: str
) -> dict[str, Any]:
    """Request the return of delivered items; refund to the original method or a gift card."""
    order = get_order(session, customer_id, order_id)
    _require_status(order, (DELIVERED,), "returned")
    customer = _customer(session, customer_id)
    method = _payment_method(customer, payment_method_id)
    original = {
        p["payment_method_id"]
        for p in order.payment_history or []
        if p.get("transaction_type") == "payment"
    }
    if method["id"] not in original and method.get("source") != "gift_card":
        raise ToolError("A refund goes to the original payment method or to one of your gift cards.")
    _check_items(order, item_ids)
    order.status = RETURN_REQUESTED
    order.extra = {
        **(order.extra or {}),
        "return_items": sorted(item_ids),
        "return_payment_method_id": method["id"],
    }
    return order_view(order)


def exchange_delivered_order_items(
    session: Session,
    customer_id: str,
    order_id: str,
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> dict[str, Any]:
    """Request an exchange of delivered items for other options of the same products (once)."""
    order, _, method, diff, _ = _checked_swap(
        session, customer_id, order_id, DELIVERED, "exchanged", item_ids, new_item_ids, payment_method_id
    )
    order.status = EXCHANGE_REQUESTED
    order.extra = {
        **(order.extra or {}),
        "exchange_items": sorted(item_ids),
        "exchange_new_items": sorted(new_item_ids),
        "exchange_payment_method_id": method["id"],
        "exchange_price_difference": diff,
    }
    return order_view(order)


def variants_of(session: Session, product_id: str) -> list[Product]:
    """Every variant (item) of one product type in the catalogue."""
    from sqlalchemy import select

    return list(session.scalars(select(Product).where(Product.group_id == product_id)).all())


# ----------------------------------------------------------------------------- helpers
def _check_items(order, item_ids: list[str]) -> None:
    if not item_ids:
        raise ToolError("Tell me which items you mean.")
    pool = [it.get("item_id") for it in order.items or []]
    for item_id in item_ids:
        if item_id not in pool:
            raise ToolError(f"Item {item_id} is not in order {order.id}.")
        pool.remove(item_id)


def _swap(session: Session, order, item_ids: list[str], new_item_ids: list[str]):
    """Validate the swap; return (price difference, new items list)."""
    if len(item_ids) != len(new_item_ids):
        raise ToolError("Each item to change needs exactly one new item.")
    _check_items(order, item_ids)
    items = [dict(it) for it in order.items or []]
    diff = 0.0
    for old_id, new_id in zip(item_ids, new_item_ids, strict=True):
        index = next(i for i, it in enumerate(items) if it.get("item_id") == old_id)
        old = items[index]
        new = session.get(Product, new_id)
        if new is None:
            raise ToolError(f"Item {new_id} is not in the catalogue.")
        if new.group_id != old.get("product_id"):
            raise ToolError(
                f"{new.title} is a different product from {old.get('name')}: only options of the same product can be swapped."
            )
        if new_id == old_id:
            raise ToolError(f"The new item must differ from {old.get('name')} ({old_id}).")
        if not new.available:
            raise ToolError(f"{new.title} ({new_id}) is not available.")
        diff += float(new.price) - float(old.get("price", 0.0))
        items[index] = {
            **old,
            "item_id": new.id,
            "price": float(new.price),
            "options": dict(new.attributes or {}),
        }
    return round(diff, 2), items


def _check_gift_card(method: dict[str, Any], diff: float) -> None:
    if method.get("source") == "gift_card" and float(method.get("balance", 0.0)) < diff:
        raise ToolError(
            f"The gift card balance ({money(float(method.get('balance', 0.0)))}) doesn't cover the price difference {money(diff)}."
        )
