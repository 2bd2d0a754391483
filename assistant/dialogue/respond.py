"""Grounded reply text: every name, price, status and id is templated from store data."""

from __future__ import annotations

import re
from typing import Any

from assistant.dialogue import answers
from assistant.dialogue.answers import DONT_KNOW, money

__all__ = ["DONT_KNOW", "money"]

def product_line(i: int, p: dict[str, Any]) -> str:
    stock = "" if p.get("available", True) else " (out of stock)"
    brand = f" by {p['brand']}" if p.get("brand") else ""
    opts = answers.option_text(p.get("options") or {})
    line = f"{i}. {p['title']}{brand}" + (f" ({opts})" if opts else "") + f" — {answers.price(p)}{stock}"
    lo, hi = p.get("price_range") or (None, None)
    if lo is not None and hi is not None and hi > lo:
        line += f"; other options {money(lo, p.get('currency'))}–{money(hi, p.get('currency'))}"
    varied = {k: v for k, v in (p.get("option_values") or {}).items() if len(v) > 1}
    if varied:
        line += "; comes in " + "; ".join(f"{k}: {', '.join(v)}" for k, v in varied.items())
    return line


def cart_text(cart: list[dict[str, Any]]) -> str:
    if not cart:
        return "Your basket is empty."
    lines = [f"- {c['title']}" + (f" ({answers.option_text(c['options'])})" if c.get("options") else "")
             + f" × {c['quantity']} — {money(c['price'] * c['quantity'])}" for c in cart]
    total = sum(c["price"] * c["quantity"] for c in cart)
    return "Your basket:\n" + "\n".join(lines) + f"\nTotal {money(total)}. I'll keep it for this conversation."


def constraints_text(state, currency: str | None = None) -> str:
    """What the shopper asked for, in words; prices in the store's ``currency`` (default USD)."""
    bits = []
    what = " / ".join(getattr(state, "types", []) or []) or state.slots.get("category") or state.slots.get("product")
    for name, values in state.options.items():
        bits.append(f"{name} {'/'.join(values)}")
    for name, values in getattr(state, "exclude_options", {}).items():
        bits.append(f"not {name} {'/'.join(values)}")
    if state.slots.get("brand"):
        bits.append(f"brand {state.slots['brand']}")
    if state.slots.get("price_min") is not None:
        bits.append(f"from {money(state.slots['price_min'], currency)}")
    if state.slots.get("price_max") is not None:
        bits.append(f"up to {money(state.slots['price_max'], currency)}")
    if state.exclude_brands:
        bits.append(f"not {'/'.join(state.exclude_brands)}")
    for need in getattr(state, "requirements", []) or []:  # "needs to keep the rain off"
        words = re.sub(r"\s+", " ", re.sub(r"[^\w\s'-]", " ", need)).strip()[:40]  # never markup
        bits.append(f'"{words}"')
    if what:
        text = str(what)
    elif state.last_query:
        query = re.sub(r"<[^>]*>|[<>]", " ", state.last_query)  # never echo markup
        query = re.sub(r"\s+", " ", query).strip()[:60]
        text = f'"{query}"' if query else "products"
    else:
        text = "products"
    return text + (f" ({', '.join(bits)})" if bits else "")


def product_list(products: list[dict[str, Any]], state, *, recommend: bool = False,
                 beyond: tuple[str, ...] = (), relaxed: dict[str, list[str]] | None = None,
                 variants: list[dict[str, Any]] | None = None) -> str:
    head = "Some ideas" if recommend else "Here is what I found"
    if variants:  # the type has no other product: the other options of the one shown
        pref = ", ".join(f"{name} {'/'.join(values)}" for name, values in (relaxed or {}).items())
        without = f" (none with {pref}, so without that preference)" if pref else ""
        lines = [f"That's the only {variants[0]['title']} for {constraints_text(state, _currency(variants))}; "
                 f"its other options{without}:"]
        lines += [product_line(i, p) for i, p in enumerate(variants, 1)]
        lines.append("Say which one you'd like, e.g. \"the second one\".")
        return "\n".join(lines)
    if beyond:  # every product of the asked types was shown already
        lines = [f"That's every {' / '.join(beyond)} I have; some other ideas:"]
    elif relaxed:  # a stated preference blocked the rest of the need
        pref = ", ".join(f"{name} {'/'.join(values)}" for name, values in relaxed.items())
        lines = [f"Nothing with {pref} fits the rest of what you asked, so these leave that preference out:"]
    else:
        lines = [f"{head} for {constraints_text(state, _currency(products))}:"]
    lines += [product_line(i, p) for i, p in enumerate(products, 1)]
    lines.append("Say \"the second one\" for details, \"cheaper\", \"in blue\", or \"compare the first two\".")
    return "\n".join(lines)


def _currency(products: list[dict[str, Any]]) -> str | None:
    return next((p["currency"] for p in products if p.get("currency")), None)


def nothing_fits(state, offer: dict[str, Any] | None, out_of_stock: list[dict[str, Any]] | None = None) -> str:
    currency = _currency((out_of_stock or []) + ([offer["product"]] if offer else []))
    if out_of_stock:
        names = ", ".join(dict.fromkeys(p["title"] for p in out_of_stock))
        text = f"Nothing in stock fits {constraints_text(state, currency)}: {names} would, but it is out of stock."
    else:
        text = f"Nothing in the store fits {constraints_text(state, currency)}."
    if offer is None:
        return text + " Try a broader request?"
    p = offer["product"]
    return (
        f"{text} The nearest option, {offer['label']}: {p['title']} — {answers.price(p)}. "
        "Shall I show options like that?"
    )


def answer_question(p: dict[str, Any], text: str) -> tuple[str, bool]:
    """A question about product ``p`` answered from its data: (reply, whether the data answered)."""
    reply, _shown = answers.answer_question(p, text)
    return reply, reply != DONT_KNOW


# ------------------------------------------------------------------ service
def order_summary(view: dict[str, Any]) -> str:
    items = "; ".join(f"{it['name']} ({', '.join(map(str, it['options'].values()))}) {money(it['price'])}" for it in view["items"])
    text = f"Order {view['order_id']} is {view['status']}. Items: {items}. Total {money(view['total'])}."
    if view["tracking_ids"]:
        text += f" Tracking: {', '.join(view['tracking_ids'])}."
    refunds = [p for p in view["payment_history"] if p.get("transaction_type") == "refund"]
    if refunds:
        text += " Refunds: " + ", ".join(f"{money(p['amount'])} to {p['payment_method_id']}" for p in refunds) + "."
    return text


def orders_list(views: list[dict[str, Any]]) -> str:
    if not views:
        return "I don't see any orders on your account."
    lines = [f"- {v['order_id']}: {v['status']}, {len(v['items'])} item(s), {money(v['total'])}" for v in views]
    return "Your orders:\n" + "\n".join(lines)


def policy_answer(passage, sentence: str | None = None) -> str:
    """The sentence that answers (when one was picked), quoted with its section; else the passage."""
    if sentence:
        quoted = re.sub(r"\s+", " ", sentence).strip().lstrip("-* ")
        return f"From the store policy, section \"{passage.section}\": {quoted}"
    text = re.sub(r"\s+", " ", passage.text).strip()
    if len(text) > 600:
        text = text[:600].rsplit(" ", 1)[0] + " …"
    return f"From the store policy ({passage.source}, section \"{passage.section}\"): {text}"
