"""Pick the action of a turn from the understanding, the refinements and the state."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.dialogue.refine import ShoppingUpdate
from assistant.dialogue.state import DialogueState
from assistant.nlu.labels import SERVICE_INTENTS

POLICY_INTENTS = frozenset(
    {"check_refund_policy", "check_cancellation_fee", "delivery_options", "delivery_period"}
)
HANDOFF_INTENTS = frozenset({"complaint", "contact_human_agent", "contact_customer_service"})
NO_TOOL_INTENTS = frozenset(
    {"newsletter_subscription", "create_account", "delete_account", "recover_password",
     "registration_problems", "review", "switch_account", "place_order", "payment_issue"}
)  # fmt: skip
SHOPPING_ACTIONS = {"search_products": "search", "recommend": "recommend",
                    "compare_products": "compare", "product_question": "product_question"}  # fmt: skip
_HUMAN = re.compile(
    r"\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|some\s*one|a real\s+)?(human|person|agent|representative|someone|manager)\b"
    r"|\b(human|real person|live agent)\s+please\b",
    re.I,
)


@dataclass(frozen=True)
class Plan:
    """The action of one turn and why it was chosen (stored with the assistant message)."""

    action: str  # search | recommend | compare | product_question | service | policy_answer |
    # unsupported | handoff | clarify | smalltalk | out_of_scope | refuse | confirm_yes | confirm_no | accept_offer
    reason: str


def plan_action(
    intent: str,
    confidence: float,
    text: str,
    state: DialogueState,
    update: ShoppingUpdate | None,
    *,
    threshold: float,
    service_entities: bool,
    affirm: bool,
    deny: bool,
) -> Plan:
    """Ordered rules; the first that applies decides."""
    if state.pending is not None:
        if affirm:
            return Plan("confirm_yes", "explicit yes to the listed write")
        if deny:
            return Plan("confirm_no", "no to the listed write")
    if state.offer is not None and not state.pending:
        if affirm:
            return Plan("accept_offer", "yes to the relaxation offered")
        if deny:
            return Plan("decline_offer", "no to the relaxation offered")
    if intent in HANDOFF_INTENTS or _HUMAN.search(text):
        return Plan("handoff", f"{intent}: the shopper wants a person")
    continuing_service = state.task is not None and (service_entities or intent == "provide_info")
    continuing_shopping = bool(
        update
        and (update.refinements or update.item or update.items or update.constraints)
        and (state.last_shown or update.new_need)
        and not (
            intent == "out_of_scope" and confidence >= threshold
            and state.last_action not in SHOPPING_ACTIONS.values()
            and not (update.refinements or update.item)
        )
    )
    if intent == "check_payment_methods" and state.customer_id is None and not continuing_service:
        return Plan("policy_answer", "payment methods in general: from the policy")
    if intent in SERVICE_INTENTS and intent in POLICY_INTENTS and not continuing_service:
        return Plan("policy_answer", f"{intent} answered from the policy")
    if confidence < threshold and not (continuing_service or continuing_shopping or service_entities):
        if state.fail_streak + 1 >= 2:
            return Plan("handoff", f"low confidence ({confidence:.2f}) twice in a row")
        return Plan("clarify", f"low confidence ({confidence:.2f})")
    if continuing_service:
        return Plan("service", "continuing the open service task")
    if intent in NO_TOOL_INTENTS:
        return Plan("unsupported", f"{intent}: no store tool for it")
    if intent in SERVICE_INTENTS:
        return Plan("service", f"{intent} via store tools")
    if service_entities and intent not in SHOPPING_ACTIONS:
        return Plan("service", "order or account details")
    if update and update.refinements and state.last_shown and intent not in ("search_products", "recommend"):
        return Plan("search", f"refinement {'/'.join(update.refinements)} of the shown products")
    if intent in SHOPPING_ACTIONS:
        action = SHOPPING_ACTIONS[intent]
        if action == "search" and update and update.item and not update.constraints and not update.new_need:
            return Plan("product_question", "item reference: show the item")
        if action == "compare" and not state.last_shown:
            return Plan("search", "nothing shown yet to compare")
        if action == "compare" and update and len(update.items) == 1:
            return Plan("product_question", "one item referenced: show it")
        return Plan(action, intent)
    if continuing_shopping:
        if update.refinements or update.constraints:
            return Plan("search", "refinement of the shown products")
        return Plan("product_question", "item reference")
    if intent == "provide_info" and update and update.constraints:
        return Plan("search", "more constraints for the current need")
    if intent in ("greeting", "thanks", "goodbye", "affirm", "deny"):
        return Plan("smalltalk", intent)
    if intent == "provide_info":
        return Plan("clarify", "information without an open request")
    return Plan("out_of_scope", intent)
