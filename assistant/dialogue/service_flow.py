"""Service conversations: verify the shopper, fill a task (order, reason, items, payment, address),
list the write and wait for an explicit yes, then call the store tool.

One shopper per conversation: after authentication, another account's email or name is
refused, and an order id of someone else reads as "not found" (the tools check it).
How a shopper is verified (a one-time code, or the email / name + zip alone) is the
``Verifier``'s (``assistant.verify``, ``AISLE_VERIFY``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assistant import tools
from assistant.dialogue import extract
from assistant.dialogue.respond import money, order_summary, orders_list
from assistant.dialogue.state import DialogueState
from assistant.dialogue.vocab import norm_words
from assistant.store.models import Customer, Order
from assistant.tools import ToolError
from assistant.tools.base import DELIVERED, PENDING
from assistant.verify import Verifier, find_code, redact
from assistant.verify.verifier import AWAIT_TEXT, TOO_MANY_TEXT, locked_text

logger = logging.getLogger(__name__)

TASK_BY_INTENT = {
    "track_order": "status", "check_invoice": "status", "get_invoice": "status",
    "track_refund": "status", "cancel_order": "cancel", "change_order": "modify_items",
    "change_shipping_address": "order_address", "set_up_shipping_address": "default_address",
    "get_refund": "return", "check_payment_methods": "profile", "edit_account": "profile",
}  # fmt: skip
NEEDS_STATUS = {"cancel": PENDING, "modify_items": PENDING, "modify_payment": PENDING,
                "order_address": PENDING, "return": DELIVERED, "exchange": DELIVERED}  # fmt: skip
WRITE_TOOLS = {
    "cancel": tools.cancel_pending_order, "modify_items": tools.modify_pending_order_items,
    "modify_payment": tools.modify_pending_order_payment,
    "order_address": tools.modify_pending_order_address, "default_address": tools.modify_user_address,
    "return": tools.return_delivered_order_items, "exchange": tools.exchange_delivered_order_items,
}  # fmt: skip
_OTHER_PERSON = re.compile(
    r"\b(another|other|a different) (user|customer|account holder)\b"
    r"|\b(someone else'?s|somebody else'?s|another (?:user|customer|person)'?s|"
    r"my (?:friend|wife|husband|mother|mom|father|dad|brother|sister|colleague|neighbou?r)'?s) "
    r"(orders?|account|email|address|details|purchases?|profile)\b"
    r"|\b(orders?|account|email|address|profile) (of|for|from) (user|customer|my (?:friend|wife|husband|mother|father|brother|sister))\b",
    re.I,
)
# signed in on somebody else's account and asking to leave it for one's own ("i'm logged into my
# husband's account, how do i change to mine"): nothing of theirs is asked for, so no refusal
_LEAVE_OTHER = re.compile(
    r"\b(switch|swap|change|get|go|move|log|sign)( me)?( back| over| in| into)?( to| into)? (mine|my own|my (account|profile|login))\b"
    r"|\b(log|sign)(ging)? (me )?(out|off)\b", re.I)
_THEIR_DATA = re.compile(r"\b(his|her|their|orders?|purchases?|email|address|details|card|payment)\b", re.I)
_MY_NAME = re.compile(r"\b(?i:my name is|i am|i'm)\s+([A-Z][a-zA-Z'-]+)\s+([A-Z][a-zA-Z'-]+)")
# an order paid for a while ago that has not come ("i paid for a phone 2 weeks ago and STILL nothing",
# "ordered a lamp last month, never arrived"): tracking, whatever words of an order are missing
_PAID_FOR = re.compile(r"\b(paid|ordered|bought|purchased)\b", re.I)
_NOT_ARRIVED = re.compile(
    r"\b(still (nothing|no sign|waiting (for|on) (it|them|my|the|delivery)|not got (it|them|anything)|don'?t have (it|them)|"
    r"(not|hasn'?t|haven'?t|hasnt|havent|didn'?t|isn'?t|aren'?t) (here|arrived|come|came|delivered|shipped|turned up|"
    r"shown up|showed up|received (it|them|anything)|got (it|them|anything)))|"
    r"never (arrived|came|come|showed up|turned up|got (here|delivered|it|them)|received (it|them|anything))|"
    r"(not|isn'?t|hasn'?t|haven'?t|hasnt|havent|didn'?t|did not|has not|have not) (here yet|arrived|come|came|turned up|showed up|"
    r"been delivered|received (it|them|anything)|(got|get) (it|them|anything))|nothing (has )?(arrived|came|come|turned up|yet)|"
    r"no sign of (it|them|my))\b", re.I)


def not_arrived(text: str) -> bool:
    """The shopper paid for or ordered something that has not come yet."""
    return bool(_PAID_FOR.search(text or "") and _NOT_ARRIVED.search(text or "")) or bool(_DID_IT_COME.search(text or ""))


# "did my last order actually get delivered?": a question of where the order is
_DID_IT_COME = re.compile(
    r"\b(did|has|have|was|is) (my|the|our) (last |latest |recent |most recent )?(order|parcel|package|delivery)\b.{0,25}"
    r"\b(get delivered|been delivered|delivered|arrived?|come|turned up|shipped|been sent|gone out|left)\b|"
    r"\bwhen\b.{0,20}\b(my|our) (last |latest |recent )?(order|parcel|package|delivery)\b.{0,25}"
    r"\b(arrive|come|get here|be (delivered|here|shipped|sent)|turn up|ship|show up)\b", re.I)  # "can you tell me when my order is going to arrive"


@dataclass(frozen=True)
class FlowReply:
    text: str
    action: str  # ask_auth | service_tool | confirm | clarify | refuse
    handoff: bool = False


def task_kind(intent: str, text: str, current: str | None) -> str | None:
    """The service task a message asks for (keywords refine the intent)."""
    low = (text or "").lower()
    kind = TASK_BY_INTENT.get(intent)
    if kind is None and current is None:  # the words alone can name the task ("wheres my order? email is ...")
        if re.search(r"\b(where'?s|where is|wheres|track|status of|any news on) (my |the )?(order|parcel|package|delivery)\b", low):
            return "status"
        if not_arrived(low):
            return "status"
        if re.search(r"\b(want|like|need|wanna|how do i|can i) (to )?(return|send back)\b", low):
            return "return"
    if kind is None and intent not in ("cancel_order",) and current is None:
        return None
    if re.search(r"\bexchange\b|\bswap\b", low):
        return "exchange"
    if re.search(r"\breturn\b|\bsend (\w+ ){0,3}back\b", low):
        return "return"
    if re.search(r"\bcancel\b", low) and intent in ("cancel_order", "change_order") or intent == "cancel_order":
        return "cancel"
    if current is not None and re.search(r"\bcancel (it|that|this|them|the order|my order|the whole (thing|order))\b", low) \
            and not re.search(r"\b(don'?t|do not|not|never|no need to)\s+(\w+\s+)?cancel\b", low):
        return "cancel"  # "whatever, just cancel it then" inside an order task, whatever the model read
    if re.search(r"\baddress\b", low):
        return "default_address" if re.search(r"\b(default|profile|account|my address)\b", low) and not re.search(r"\border\b", low) else "order_address"
    if re.search(r"\b(change|switch|update|modify|use another|use a different)\b.{0,30}\bpayment\b", low) and intent in ("change_order", "check_payment_methods", "payment_issue"):
        return "modify_payment"
    return kind or current


class ServiceFlow:
    """Drives one service turn over the dialogue state (the caller owns the transaction)."""

    def __init__(self, db: Session, state: DialogueState, verifier: Verifier | None = None) -> None:
        self.db, self.state = db, state
        if verifier is None:
            from assistant.settings import get_settings

            verifier = Verifier(get_settings())
        self.verifier = verifier

    # ------------------------------------------------------------ entry points
    def handle(self, intent: str, text: str, slots: dict[str, Any]) -> FlowReply:
        state = self.state
        kind = task_kind(intent, text, (state.task or {}).get("kind"))
        if kind and (state.task is None or state.task.get("kind") != kind):
            keep = {"order_id": state.task["order_id"]} if state.task and state.task.get("order_id") else {}
            state.task = {"kind": kind, **keep}
        if state.task is None and extract.order_id(text, slots):
            state.task = {"kind": "status"}  # an order id alone: look the order up
        refusal = self.one_shopper(text, slots)
        if refusal:
            return refusal
        if state.task is not None:
            self._absorb(text, slots)
        prefix = ""
        if state.customer_id is None:
            result = self._authenticate(text, slots)
            if isinstance(result, FlowReply):
                return result
            prefix = result
        if state.task is None:
            return FlowReply(prefix + "How can I help with your orders or account?", "clarify")
        reply = self._advance()
        return FlowReply(prefix + reply.text, reply.action, reply.handoff)

    def code_turn(self, text: str, slots: dict[str, Any]) -> FlowReply | None:
        """A one-time code typed back, or a new one asked for, while the conversation waits for
        one; ``None`` when the message is about something else."""
        state, gate = self.state, self.verifier
        if not (gate.code_mode and gate.awaiting(state)):
            return None
        code = find_code(text)
        if code is None:
            return FlowReply(gate.resend(self.db, state), "ask_auth") if gate.wants_new_code(text) else None
        checked = gate.check(self.db, state, code)
        if checked.customer_id is None:
            return FlowReply(checked.text, "ask_auth")
        customer = self.db.get(Customer, checked.customer_id)
        state.customer_id = customer.id
        # the rest of the message continues the task ("123456, and cancel #W..."); the
        # model's intent for a bare code is not trusted to change the task
        reply = self.handle("provide_info", redact(text), redact(slots))
        return FlowReply(f"Thanks, {customer.first_name}, you're verified. " + reply.text, reply.action, reply.handoff)

    def confirm(self) -> FlowReply:
        """The shopper said yes to the listed write: do it and report the stored result."""
        pending, self.state.pending = self.state.pending, None
        self.state.task = None
        kind, args = pending["kind"], pending["args"]
        try:
            result = WRITE_TOOLS[kind](self.db, self.state.customer_id, **args)
            self.db.flush()
        except ToolError as err:
            return FlowReply(f"I couldn't do that: {err}", "service_tool")
        if kind == "default_address":
            a = result["address"]
            return FlowReply(f"Done. Your default address is now {_address_text(a)}.", "service_tool")
        text = "Done. " + order_summary(result)
        if kind == "cancel":
            text += " The refund goes to the original payment method: at once for a gift card, otherwise in 5 to 7 business days."
        elif kind in ("return", "exchange"):
            text += " You'll receive an email explaining how to send the items back."
        return FlowReply(text, "service_tool")

    def deny(self) -> FlowReply:
        pending, self.state.pending = self.state.pending, None
        self.state.task = None
        return FlowReply(f"Okay, I won't {pending['verb']}. Nothing was changed.", "clarify")

    def ask_again(self) -> FlowReply:
        """The reply was not a clear yes or no: nothing is written and the same change is asked again."""
        pending = self.state.pending
        return FlowReply(
            f"I haven't changed anything. To go ahead exactly as listed, I will {pending['summary']}. "
            "Reply yes to confirm, or no to leave it as it is (then tell me what you'd like instead).", "confirm")

    # ------------------------------------------------------------ steps
    def one_shopper(self, text: str, slots: dict[str, Any]) -> FlowReply | None:
        state = self.state
        other = _OTHER_PERSON.search(text or "")
        leaving = other and _LEAVE_OTHER.search(text) and not _THEIR_DATA.search(_OTHER_PERSON.sub(" ", text))
        if other and not leaving:
            return FlowReply("I can only help the account holder of this conversation, so I can't look at another customer's orders or details.", "refuse")
        if state.customer_id is None:
            return None
        customer = self.db.get(Customer, state.customer_id)
        mail = extract.email(text, slots)
        match = _MY_NAME.search(text or "")
        person = match.groups() if match else None
        other_mail = mail and customer and mail.lower() != customer.email.lower()
        other_name = person and customer and (person[0].lower(), person[1].lower()) != (customer.first_name.lower(), customer.last_name.lower())
        if other_mail or other_name:
            return FlowReply(f"You're signed in as {customer.first_name}; I can only help with that account in this conversation.", "refuse")
        return None

    def _authenticate(self, text: str, slots: dict[str, Any]) -> str | FlowReply:
        state = self.state
        mail = extract.email(text, slots)
        person = extract.name(text, slots)
        zip_value = extract.zip_code(text, slots)
        if person is None and state.last_action == "ask_auth" and zip_value:
            words = re.findall(r"[A-Za-z'-]+", re.sub(r"\d{5}", " ", text))
            words = [w for w in words if w.lower() not in {"and", "zip", "code", "my", "is", "name", "it's"}]
            if len(words) >= 2:
                person = (words[0], words[1])
        if person:
            state.auth.update({"first": person[0], "last": person[1]})
        if zip_value:
            state.auth["zip"] = zip_value
        tried = bool(mail) or {"first", "last", "zip"} <= state.auth.keys()
        if tried:
            wait = self.verifier.wait_s(self.db)
            if wait > 0:
                state.auth = {}
                return FlowReply(locked_text(wait), "ask_auth")
            if not self.verifier.code_mode and self.verifier.too_many_lookups(state):
                state.auth = {}
                return FlowReply(TOO_MANY_TEXT, "ask_auth")
        customer = None
        if mail:
            customer = tools.find_customer_by_email(self.db, mail)
        if customer is None and {"first", "last", "zip"} <= state.auth.keys():
            customer = tools.find_customer_by_name_zip(self.db, state.auth["first"], state.auth["last"], state.auth["zip"])
        if tried and self.verifier.code_mode:  # the same reply whether or not an account matched
            state.auth = {}
            return FlowReply(self.verifier.issue(self.db, state, customer), "ask_auth")
        if customer is not None:
            state.customer_id = customer.id
            state.auth = {}
            return f"Thanks, {customer.first_name}, you're verified. "
        if tried:
            state.auth = {}
            refused = self.verifier.lookup_failed(self.db, state)
            return FlowReply(refused or "I couldn't find an account with those details. Please check your email, or your first and last name with the zip code.", "ask_auth")
        if self.verifier.code_mode and self.verifier.awaiting(state):
            return FlowReply(AWAIT_TEXT, "ask_auth")
        if state.auth and "zip" not in state.auth:
            return FlowReply("Thanks. And the zip code of your address?", "ask_auth")
        # the same words whatever the task: the dialogue model reads the last reply as context, and a
        # reply naming the task ("To help with a return ...") tilted its reading of the next turn
        return FlowReply("First I need to verify who you are: please tell me your email, or your first and last "
                         "name and zip code.", "ask_auth")

    def _absorb(self, text: str, slots: dict[str, Any]) -> None:
        task = self.state.task
        oid = extract.order_id(text, slots)
        if oid:
            task["order_id"] = oid
            task.pop("items", None)
        reason = extract.cancel_reason(text)
        if reason:
            task["reason"] = reason
        addr = extract.address(text)
        if addr:
            task["address"] = addr
        task["text"] = (task.get("text", "") + "\n" + text)[-2000:]

    def _advance(self) -> FlowReply:
        task, state = self.state.task, self.state
        kind = task["kind"]
        if kind == "profile":
            state.task = None
            profile = tools.get_profile(self.db, state.customer_id)
            methods = ", ".join(_method_text(m) for m in profile["payment_methods"].values())
            return FlowReply(f"Your account: {profile['name']}, {_masked_email(profile['email'])}. Default address: {_area_text(profile['address'])} (on file). Payment methods: {methods or 'none'}.", "service_tool")
        if kind == "default_address":
            if "address" not in task:
                return FlowReply("What is the new default address? (street, [apt,] city, state zip)", "clarify")
            return self._propose(kind, {"address": task["address"]}, f"change your default address to {_address_text(task['address'])}", "change your address")
        order = self._order(task)
        if isinstance(order, FlowReply):
            return order
        if kind == "status":
            state.task = None
            return FlowReply(order_summary(tools.order_view(order)), "service_tool")
        wanted = NEEDS_STATUS[kind]
        if order.status != wanted:
            state.task = None
            return FlowReply(f"Order {order.id} is '{order.status}'. Only {wanted} orders can be {_verb_past(kind)}.", "service_tool")
        methods = self.db.get(Customer, state.customer_id).payment_methods or {}
        for line in reversed(task.get("text", "").split("\n")):  # the latest mention wins
            named = extract.payment_method(line, methods)
            if named:
                task["payment_method_id"] = named
                break
        original = next((p["payment_method_id"] for p in order.payment_history or [] if p.get("transaction_type") == "payment"), None)
        if kind == "cancel":
            if "reason" not in task:
                return FlowReply(f"Why would you like to cancel order {order.id}: 'no longer needed' or 'ordered by mistake'?", "clarify")
            return self._propose(kind, {"order_id": order.id, "reason": task["reason"]}, f"cancel order {order.id} (reason: {task['reason']}), total {money(_total(order))} refunded to the original payment method", "cancel the order")
        if kind == "order_address":
            if "address" not in task:
                return FlowReply(f"What is the new shipping address for order {order.id}? (street, [apt,] city, state zip)", "clarify")
            return self._propose(kind, {"order_id": order.id, "address": task["address"]}, f"ship order {order.id} to {_address_text(task['address'])}", "change the address")
        if kind == "modify_payment":
            pm = task.get("payment_method_id")
            if pm is None or pm == original:
                listing = ", ".join(_method_text(m) for k, m in methods.items() if k != original)
                return FlowReply(f"Which payment method should pay order {order.id} instead? You have: {listing or 'no other method'}.", "clarify")
            return self._propose(kind, {"order_id": order.id, "payment_method_id": pm}, f"pay order {order.id} ({money(_total(order))}) with {_method_text(methods[pm])} and refund {original}", "change the payment")
        items = self._items(order, task)
        if isinstance(items, FlowReply):
            return items
        pm = task.get("payment_method_id") or (original if original in methods else None)
        if pm is None:
            return FlowReply("Which of your payment methods should be used for the refund or price difference?", "clarify")
        names = ", ".join(f"{it['name']} ({it['item_id']})" for it in items)
        if kind == "return":
            return self._propose(kind, {"order_id": order.id, "item_ids": [it["item_id"] for it in items], "payment_method_id": pm}, f"return {names} from order {order.id}, refund {money(sum(it['price'] for it in items))} to {_method_text(methods[pm])}", "request the return")
        new = self._new_items(items, task)
        if isinstance(new, FlowReply):
            return new
        diff = sum(n.price for n in new) - sum(it["price"] for it in items)
        swaps = "; ".join(f"{it['name']} {_opts(it['options'])} → {_opts(n.attributes)} ({n.id}, {money(n.price)})" for it, n in zip(items, new, strict=True))
        verb = "exchange" if kind == "exchange" else "change"
        summary = (f"{verb} in order {order.id}: {swaps}; price difference {money(diff)} via {_method_text(methods[pm])}. "
                   "Items of an order can be changed only once, so make sure this lists every item you want to change")  # fmt: skip
        return self._propose(kind, {"order_id": order.id, "item_ids": [it["item_id"] for it in items], "new_item_ids": [n.id for n in new], "payment_method_id": pm}, summary, f"{verb} the items")

    # ------------------------------------------------------------ helpers
    def _propose(self, kind: str, args: dict[str, Any], summary: str, verb: str) -> FlowReply:
        self.state.pending = {"kind": kind, "args": args, "summary": summary, "verb": verb}
        return FlowReply(f"To confirm, I will {summary}. Shall I go ahead? (yes/no)", "confirm")

    def _order(self, task: dict[str, Any]) -> Order | FlowReply:
        if task.get("order_id"):
            try:
                return tools.get_order(self.db, self.state.customer_id, task["order_id"])
            except ToolError as err:
                task.pop("order_id")
                return FlowReply(str(err) + " Which order do you mean?", "clarify")
        views = tools.list_orders(self.db, self.state.customer_id)
        wanted = NEEDS_STATUS.get(task["kind"])
        eligible = [v for v in views if wanted is None or v["status"] == wanted]
        if len(eligible) == 1 and wanted is not None:
            task["order_id"] = eligible[0]["order_id"]
            return tools.get_order(self.db, self.state.customer_id, task["order_id"])
        if task["kind"] == "status" and not_arrived(task.get("text", "")):  # "paid 2 weeks ago, still nothing"
            on_way = [v for v in views if v["status"] in (PENDING, "processed")]
            if len(on_way) == 1:
                task["order_id"] = on_way[0]["order_id"]
                return tools.get_order(self.db, self.state.customer_id, task["order_id"])
        named = self._order_by_items(eligible if wanted and eligible else views, task.get("text", ""))
        if named is not None:  # "the one with the espresso machine", "send back the headphones" before verifying
            task["order_id"] = named
            return tools.get_order(self.db, self.state.customer_id, named)
        if wanted is not None and views and not eligible:  # "just cancel it" with nothing pending
            self.state.task = None
            return FlowReply(f"Only {wanted} orders can be {_verb_past(task['kind'])}, and none of yours is {wanted} "
                             f"right now:\n{orders_list(views)}\nI can help with something else, or put you through "
                             "to a person.", "service_tool")
        return FlowReply(orders_list(eligible if wanted and eligible else views) + "\nWhich order id?", "clarify")

    def _order_by_items(self, views: list[dict[str, Any]], text: str) -> str | None:
        """The one order among ``views`` holding an item the shopper's words of this task name: the
        latest message that names an item of any of them decides (several orders with it: none)."""
        orders = [tools.get_order(self.db, self.state.customer_id, v["order_id"]) for v in views]
        for line in reversed((text or "").splitlines()):
            said = f" {norm_words(line)} "
            hits = [o.id for o in orders if any(f" {norm_words(it['name'])} " in said for it in o.items or [])]
            if hits:
                return hits[0] if len(hits) == 1 else None
        return None

    def _items(self, order: Order, task: dict[str, Any]) -> list[dict[str, Any]] | FlowReply:
        if task.get("items"):
            return [it for it in order.items if it["item_id"] in task["items"]][: len(task["items"])]
        text = task.get("text", "")
        low, hay = text.lower(), f" {norm_words(text)} "
        if re.search(r"\b(all|everything|whole order|entire order|both)\b", low):
            chosen = list(order.items)
        else:
            chosen = [it for it in order.items if it["item_id"] in text or f" {norm_words(it['name'])} " in hay]
        if not chosen and len(order.items) == 1:
            chosen = list(order.items)
        if not chosen:
            listing = "; ".join(f"{it['name']} ({_opts(it['options'])})" for it in order.items)
            return FlowReply(f"Which items of order {order.id}? It has: {listing}.", "clarify")
        task["items"] = [it["item_id"] for it in chosen]
        return chosen

    def _new_items(self, items: list[dict[str, Any]], task: dict[str, Any]):
        text = task.get("text", "")
        new = []
        for it in items:
            variants = [v for v in tools.variants_of(self.db, it["product_id"]) if v.available and v.id != it["item_id"]]
            wanted = _wanted_values(text, variants, it)
            fits = [v for v in variants if wanted and all(str((v.attributes or {}).get(k, "")).lower() == val for k, val in wanted.items())]
            if not fits:
                opts = "; ".join(f"{_opts(v.attributes)} {money(v.price)}" for v in variants[:6])
                return FlowReply(f"Which option of {it['name']} would you like instead of {_opts(it['options'])}? Available: {opts}.", "clarify")
            new.append(max(fits, key=lambda v, it=it: _same_options(v, it)))
        return new


def _wanted_values(text: str, variants, item) -> dict[str, str]:
    """Option values named in ``text`` among this product's variants (only values that differ from the item)."""
    low = (text or "").lower()
    wanted: dict[str, str] = {}
    values = {(k, str(x).lower()) for v in variants for k, x in (v.attributes or {}).items()}
    for k, x in sorted(values, key=lambda kx: -len(kx[1])):
        if k in wanted or len(x) < 1:
            continue
        pattern = rf"\bsize\s+{re.escape(x)}\b" if k == "size" and len(x) <= 3 else rf"(?<![\w-]){re.escape(x)}(?![\w-])"
        if re.search(pattern, low) and str(item["options"].get(k, "")).lower() != x:
            wanted[k] = x
    return wanted


def _same_options(variant, item) -> int:
    return sum(str((variant.attributes or {}).get(k)) == str(x) for k, x in item["options"].items())


def _opts(options: dict[str, Any] | None) -> str:
    return "/".join(str(v) for v in (options or {}).values())


def _total(order: Order) -> float:
    return round(sum(float(it["price"]) for it in order.items or []), 2)


def _verb_past(kind: str) -> str:
    return {"cancel": "cancelled", "return": "returned", "exchange": "exchanged"}.get(kind, "modified")


def _method_text(m: dict[str, Any]) -> str:
    if m.get("source") == "gift_card":
        return f"gift card {m['id']} (balance {money(m.get('balance', 0.0))})"
    if m.get("source") == "credit_card":
        return f"{m.get('brand', 'credit')} card ending {m.get('last_four', '?')} ({m['id']})"
    return f"{m.get('source')} ({m['id']})"


def _masked_email(email: str) -> str:
    """``a••••@example.com``: enough to recognise, not to read off a screen."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}••••@{domain}" if domain else "••••"


def _area_text(a: dict[str, Any]) -> str:
    """City and state only: a profile reply needs no street (an address change lists the new one)."""
    return ", ".join(p for p in (a.get("city"), a.get("state")) if p) or "an address"


def _address_text(a: dict[str, Any]) -> str:
    parts = [a.get("address1"), a.get("address2"), a.get("city"), f"{a.get('state', '')} {a.get('zip', '')}".strip(), a.get("country")]
    return ", ".join(p for p in parts if p)
