"""Service tools on the store, under the store's written policy (``assistant/resources/tau2_retail/policy.md``).

Every tool takes the SQLAlchemy session and the *authenticated* customer's id:
authorisation lives here, not in the dialogue text. An order that does not
belong to that customer is reported as not found, revealing nothing. Write
tools check the policy (status, reasons, payment methods, same product type,
one items change per order) and raise ``ToolError`` with a message fit for the
shopper when a rule forbids the action. The caller owns the transaction.
"""

from assistant.tools.auth import find_customer_by_email, find_customer_by_name_zip
from assistant.tools.base import ToolError, normalise_order_id
from assistant.tools.items import (
    exchange_delivered_order_items,
    modify_pending_order_items,
    return_delivered_order_items,
    variants_of,
)
from assistant.tools.orders import (
    cancel_pending_order,
    get_order,
    get_profile,
    list_orders,
    modify_pending_order_address,
    modify_pending_order_payment,
    modify_user_address,
    order_view,
    transfer_to_human,
)

__all__ = [
    "ToolError",
    "cancel_pending_order",
    "exchange_delivered_order_items",
    "find_customer_by_email",
    "find_customer_by_name_zip",
    "get_order",
    "get_profile",
    "list_orders",
    "modify_pending_order_address",
    "modify_pending_order_items",
    "modify_pending_order_payment",
    "modify_user_address",
    "normalise_order_id",
    "order_view",
    "return_delivered_order_items",
    "transfer_to_human",
    "variants_of",
]
