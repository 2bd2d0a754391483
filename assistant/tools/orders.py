"""Read and write tools on a customer's profile and orders (policy.md rules enforced here)."""

from __future__ import annotations

import copy
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from assistant.store.models import Customer, Order
from assistant.tools.base import (
    CANCEL_REASONS,
    CANCELLED,
    PENDING,
    ToolError,
    money,
    normalise_order_id,
)

logger = logging.getLogger(__name__)

ADDRESS_FIELDS: tuple[str, ...] = ("address1", "address2", "city", "state", "country", "zip")


# ----------------------------------------------------------------------------- reads
def get_profile(session: Session, customer_id: str) -> dict[str, Any]:
    """Name, email, default address and payment methods of the authenticated customer."""
    customer = _customer(session, customer_id)
    return {
        "customer_id": customer.id,
        "name": f"{customer.first_name} {customer.last_name}",
        "email": customer.email,
        "address": dict(customer.address or {}),
        "payment_methods": copy.deepcopy(customer.payment_methods or {}),
    }


def list_orders(session: Session, customer_id: str) -> list[dict[str, Any]]:
    """Every order of the authenticated customer, as ``order_view`` dicts."""
    _customer(session, customer_id)
    rows = session.scalars(
        select(Order).where(Order.customer_id == customer_id).order_by(Order.id)
    ).all()
    return [order_view(o) for o in rows]


def get_order(session: Session, customer_id: str, order_id: str) -> Order:
    """The order, only when it belongs to the authenticated customer.

    Raises:
        ToolError: the same "not found" message whether the order does not exist or
            belongs to someone else, so nothing about other shoppers leaks.
    """
    oid = normalise_order_id(order_id) or (order_id or "").strip()
    order = session.get(Order, oid)
    if order is None or order.customer_id != customer_id:
        raise ToolError(f"I couldn't find an order {oid} on your account.")
    return order


def order_view(order: Order) -> dict[str, Any]:
    """Status, items, total, tracking and payments of one order (plain JSON)."""
    tracking = [t for f in order.fulfillments or [] for t in f.get("tracking_id", [])]
    return {
        "order_id": order.id,
        "status": order.status,
        "items": [
            {
                "item_id": it.get("item_id"),
                "product_id": it.get("product_id"),
                "name": it.get("name"),
                "price": float(it.get("price", 0.0)),
                "options": dict(it.get("options") or {}),
            }
            for it in order.items or []
        ],
        "total": round(sum(float(it.get("price", 0.0)) for it in order.items or []), 2),
        "tracking_ids": tracking,
        "address": dict(order.address or {}),
        "payment_history": [dict(p) for p in order.payment_history or []],
        "extra": dict(order.extra or {}),
    }


# ----------------------------------------------------------------------------- writes
def cancel_pending_order(session: Session, customer_id: str, order_id: str, reason: str) -> dict[str, Any]:
    """Cancel a pending order; refund every payment to its original method.

    Gift-card payments are credited back at once, other methods in 5-7 business days.
    """
    order = get_order(session, customer_id, order_id)
    _require_status(order, (PENDING,), "cancelled")
    reason = (reason or "").strip().lower()
    if reason not in CANCEL_REASONS:
        raise ToolError(
            "The cancellation reason must be 'no longer needed' or 'ordered by mistake'."
        )
    customer = _customer(session, customer_id)
    refunds = []
    for payment in order.payment_history or []:
        if payment.get("transaction_type") != "payment":
            continue
        refund = {
            "transaction_type": "refund",
            "amount": payment["amount"],
            "payment_method_id": payment["payment_method_id"],
        }
        refunds.append(refund)
        _adjust_gift_card(customer, payment["payment_method_id"], +float(payment["amount"]))
    order.payment_history = [*order.payment_history, *refunds]
    order.status = CANCELLED
    order.extra = {**(order.extra or {}), "cancel_reason": reason}
    logger.info("cancelled order %s (%s)", order.id, reason)
    return order_view(order)


def modify_pending_order_address(
    session: Session, customer_id: str, order_id: str, address: dict[str, str]
) -> dict[str, Any]:
    """Change the shipping address of a pending order."""
    order = get_order(session, customer_id, order_id)
    _require_status(order, (PENDING,), "modified")
    order.address = _clean_address(address)
    return order_view(order)


def modify_pending_order_payment(
    session: Session, customer_id: str, order_id: str, payment_method_id: str
) -> dict[str, Any]:
    """Pay a pending order with another single method of the customer's; refund the original."""
    order = get_order(session, customer_id, order_id)
    _require_status(order, (PENDING,), "modified")
    customer = _customer(session, customer_id)
    method = _payment_method(customer, payment_method_id)
    payments = [p for p in order.payment_history or [] if p.get("transaction_type") == "payment"]
    if len(order.payment_history or []) != 1 or len(payments) != 1:
        raise ToolError("This order's payment can't be changed: it has more than one transaction.")
    original = payments[0]
    if original["payment_method_id"] == method["id"]:
        raise ToolError("The new payment method must be different from the original one.")
    amount = float(original["amount"])
    if method.get("source") == "gift_card" and float(method.get("balance", 0.0)) < amount:
        raise ToolError(
            f"The gift card balance ({money(float(method.get('balance', 0.0)))}) doesn't cover the total {money(amount)}."
        )
    order.payment_history = [
        *order.payment_history,
        {"transaction_type": "payment", "amount": amount, "payment_method_id": method["id"]},
        {"transaction_type": "refund", "amount": amount, "payment_method_id": original["payment_method_id"]},
    ]
    _adjust_gift_card(customer, method["id"], -amount)
    _adjust_gift_card(customer, original["payment_method_id"], +amount)
    return order_view(order)


def modify_user_address(session: Session, customer_id: str, address: dict[str, str]) -> dict[str, Any]:
    """Change the customer's default address."""
    customer = _customer(session, customer_id)
    customer.address = _clean_address(address)
    return get_profile(session, customer_id)


def transfer_to_human(session: Session, session_id: str, summary: str) -> dict[str, Any]:
    """Put the conversation in the agents' queue (``handoff = True``; mode stays ``bot``)."""
    from assistant.store.models import ChatSession

    chat = session.get(ChatSession, session_id)
    if chat is None:
        raise ToolError(f"conversation {session_id} not found")
    chat.handoff = True
    chat.state = {**(chat.state or {}), "handoff_summary": summary[:500]}
    return {"session_id": session_id, "handoff": True}


# ----------------------------------------------------------------------------- helpers
def _customer(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ToolError("I couldn't find your account.")
    return customer


def _require_status(order: Order, allowed: tuple[str, ...], verb: str) -> None:
    if order.status not in allowed:
        raise ToolError(
            f"Order {order.id} is '{order.status}', so it can't be {verb}: "
            f"only {' or '.join(repr(s) for s in allowed)} orders can."
        )


def _payment_method(customer: Customer, payment_method_id: str) -> dict[str, Any]:
    method = (customer.payment_methods or {}).get(payment_method_id)
    if method is None:
        raise ToolError(f"{payment_method_id} is not one of your payment methods.")
    return {**method, "id": method.get("id", payment_method_id)}


def _adjust_gift_card(customer: Customer, payment_method_id: str, delta: float) -> None:
    methods = copy.deepcopy(customer.payment_methods or {})
    method = methods.get(payment_method_id)
    if method is None or method.get("source") != "gift_card":
        return
    method["balance"] = round(float(method.get("balance", 0.0)) + delta, 2)
    customer.payment_methods = methods
    flag_modified(customer, "payment_methods")


def _clean_address(address: dict[str, str]) -> dict[str, str]:
    clean = {k: str(address.get(k, "") or "").strip() for k in ADDRESS_FIELDS}
    missing = [k for k in ("address1", "city", "state", "zip") if not clean[k]]
    if missing:
        raise ToolError(f"The address is missing {', '.join(missing)}.")
    clean["country"] = clean["country"] or "USA"
    return clean
