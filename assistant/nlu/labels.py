"""Intent labels: the exact strings of the public contract (DESIGN.md)."""

SERVICE_INTENTS: tuple[str, ...] = (
    "cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee",
    "check_invoice", "check_payment_methods", "check_refund_policy", "complaint",
    "contact_customer_service", "contact_human_agent", "create_account", "delete_account",
    "delivery_options", "delivery_period", "edit_account", "get_invoice", "get_refund",
    "newsletter_subscription", "payment_issue", "place_order", "recover_password",
    "registration_problems", "review", "set_up_shipping_address", "switch_account",
    "track_order", "track_refund",
)  # fmt: skip
SHOPPING_INTENTS: tuple[str, ...] = (
    "search_products", "recommend", "compare_products", "product_question",
)  # fmt: skip
CONVERSATION_INTENTS: tuple[str, ...] = (
    "greeting", "goodbye", "thanks", "affirm", "deny", "provide_info",
)  # fmt: skip
OUT_OF_SCOPE = "out_of_scope"

INTENTS: tuple[str, ...] = SERVICE_INTENTS + SHOPPING_INTENTS + CONVERSATION_INTENTS + (OUT_OF_SCOPE,)
INTENT_INDEX: dict[str, int] = {name: i for i, name in enumerate(INTENTS)}

assert len(SERVICE_INTENTS) == 27 and len(INTENTS) == 38

# Slot names the understanding step may fill (values are strings; prices as numbers).
SLOT_NAMES: tuple[str, ...] = (
    "product", "category", "brand", "color", "size", "material", "option",
    "price_min", "price_max", "quantity", "order_id", "email", "name", "zip", "item_ref",
)  # fmt: skip
