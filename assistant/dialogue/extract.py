"""Service entities read from the text (the model's slots come first): email, name, zip,
order id, cancel reason, payment method, address, yes / no."""

from __future__ import annotations

import re
from typing import Any

from assistant.tools.base import normalise_order_id

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME = re.compile(
    r"\b(?i:my name is|name's|i am|i'm|this is|name:|it's|it is)\s+([A-Z][a-zA-Z'-]+)\s+([A-Z][a-zA-Z'-]+)"
)
_ZIP = re.compile(r"(?<![\d#W])(\d{5})(?![\d])")
_AFFIRM = re.compile(
    r"^\s*(yes|yep|yeah|yup|sure|ok(ay)?|confirm(ed)?|correct|go ahead|do it|please do|proceed|absolutely|right)\b", re.I
)
_DENY = re.compile(r"^\s*(no(?! longer)|nope|nah|don'?t|do not|stop|cancel that|never ?mind|wait)\b", re.I)
_REASONS = (
    (re.compile(r"\b(no longer need|don'?t need|do not need|not needed|no need)", re.I), "no longer needed"),
    (re.compile(r"\b(by mistake|mistaken|accident|wrong order|didn'?t mean)", re.I), "ordered by mistake"),
)
_ADDRESS = re.compile(
    r"(\d+[^,\n]*?),\s*(?:([^,\n]*?),\s*)?([A-Za-z .'-]+?),\s*([A-Z]{2})[ ,]+(\d{5})(?:,\s*([A-Za-z .]+))?\s*$"
)


def email(text: str, slots: dict[str, Any]) -> str | None:
    """The model's email slot, unless the message holds the address it was cut from (the slot
    read 'isabella.johansson9391@example.c' and the look-up failed); else the first address."""
    slot = str(slots.get("email") or "").strip()
    written = _EMAIL.findall(text or "")
    if slot:
        for address in written:
            if slot != address and slot in address:
                return address
        if _EMAIL.fullmatch(slot) or not written:
            return slot
    return written[0] if written else None


def name(text: str, slots: dict[str, Any]) -> tuple[str, str] | None:
    match = _NAME.search(text or "")
    if match:
        return match.group(1), match.group(2)
    value = str(slots.get("name") or "").split()
    return (value[0], value[-1]) if len(value) >= 2 else None


def zip_code(text: str, slots: dict[str, Any]) -> str | None:
    if slots.get("zip"):
        return str(slots["zip"]).strip()
    match = _ZIP.search(re.sub(r"#?W\d+", " ", text or "", flags=re.I))
    return match.group(1) if match else None


def order_id(text: str, slots: dict[str, Any]) -> str | None:
    return normalise_order_id(str(slots.get("order_id") or "")) or normalise_order_id(text)


def cancel_reason(text: str) -> str | None:
    for pattern, reason in _REASONS:
        if pattern.search(text or ""):
            return reason
    return None


_HESITATE = re.compile(
    r"\b(no|not|nope|nah|don'?t|dont|do not|wait|hold on|hang on|actually|hmm+|um+|erm|but|stop|cancel that|"
    r"never ?mind|not yet|later|maybe|unless|instead|change|rather|wrong|why|what|\?)", re.I)


def is_affirm(text: str, intent: str) -> bool:
    """An explicit yes written in the text: starts with a yes word and carries no negation,
    hesitation or change of mind ("ok wait, don't" is not a yes). The model's ``affirm``
    intent alone never counts: a write needs the shopper's own yes."""
    text = (text or "").strip()
    if not _AFFIRM.search(text):
        return False
    return "?" not in text and not _HESITATE.search(_AFFIRM.sub("", text, count=1))


def is_deny(text: str, intent: str) -> bool:
    return intent == "deny" or bool(_DENY.search(text or ""))


def payment_method(text: str, methods: dict[str, dict[str, Any]]) -> str | None:
    """The customer's payment method named in ``text`` (id, 'gift card', 'paypal', 'visa ... 1234')."""
    low = (text or "").lower()
    for pm_id in methods:
        if pm_id.lower() in low:
            return pm_id
    wanted = None
    if re.search(r"gift ?card", low):
        wanted = "gift_card"
    elif "paypal" in low:
        wanted = "paypal"
    elif re.search(r"credit ?card|\bcard\b|visa|mastercard|amex", low):
        wanted = "credit_card"
    if wanted is None:
        return None
    options = [pm_id for pm_id, m in methods.items() if m.get("source") == wanted]
    digits = re.findall(r"\b(\d{4})\b", low)
    for pm_id in options:
        if methods[pm_id].get("last_four") in digits:
            return pm_id
    return options[0] if len(options) == 1 else None


def address(text: str) -> dict[str, str] | None:
    """'12 Oak St, Apt 3, Austin, TX 78701[, USA]' -> address fields, else ``None``."""
    match = _ADDRESS.search((text or "").strip().rstrip("."))
    if match is None:
        return None
    line1, line2, city, state, zip_value, country = match.groups()
    line1 = re.sub(r"^.*?\b(?:to|is|address)\s+(?=\d)", "", line1, flags=re.I)
    return {
        "address1": line1.strip(), "address2": (line2 or "").strip(), "city": city.strip(),
        "state": state, "country": (country or "USA").strip(), "zip": zip_value,
    }
