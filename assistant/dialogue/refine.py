"""Turn one shopper message into dialogue-state updates.

Slots from the model come first; constraints the model left unlabelled are read
from the text against the catalogue vocabulary. Refinements act on what was shown:
"cheaper" puts the ceiling below the average shown price, "more expensive" the floor
above it, "not that brand" / "not that one" exclude, "show me different ones" raises
diversity and excludes the shown items. Item references ("the second one",
"that blue one", "the cheapest") resolve against the last products shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.dialogue.state import OPTION_SLOTS, DialogueState
from assistant.dialogue.vocab import Vocabulary, norm_words

_NUM = r"\$?\s*(\d+(?:[.,]\d+)?)\s*(k\b)?"
_PRICE_RANGE = re.compile(rf"(?:between|from)\s+{_NUM}\s*(?:and|to|-)\s*{_NUM}", re.I)
_PRICE_MAX = re.compile(
    rf"(?:under|below|less than|cheaper than|no more than|not more than|at most|max(?:imum)?|up to|within|<)\s*{_NUM}"
    rf"|{_NUM}\s*(?:dollars|bucks|usd)?\s*or (?:less|under|below)",
    re.I,
)
_PRICE_MIN = re.compile(
    rf"(?:over|above|more than|at least|min(?:imum)?|starting at|>)\s*{_NUM}", re.I
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "last": -1}  # fmt: skip
_ORDINAL = re.compile(
    r"\b(?:the|that)\s+(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|last)\b"
    r"|\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|last)\s+(?:one|item|option|product)\b"
    r"|\b(?:number|no\.|#|item|option)\s*([1-9])\b(?!\d)",
    re.I,
)
_REFINEMENTS = {
    "cheaper": re.compile(r"\b(cheaper|less expensive|lower[- ]priced?|more affordable|too (expensive|pricey)|cheapest ones?)\b", re.I),
    "pricier": re.compile(r"\b(more expensive|pricier|higher[- ]end|more premium|fancier|better quality)\b", re.I),
    "not_brand": re.compile(r"\bnot (that|this|the same) brand\b|\b(another|other|a different) brand\b|\bno more of (that|this) brand\b", re.I),
    "not_one": re.compile(r"\bnot (that|this|the [\w-]+) one\b|\b(don'?t|do not) (like|want) (that|this|it)\b|\bnot for me\b|\bexclude (that|this|it)\b", re.I),
    "different": re.compile(r"\b(different ones|something (else|different)|other (ones|options)|more variety|more diverse|show me others|different options|mix it up)\b", re.I),
}  # fmt: skip


@dataclass(frozen=True)
class ShoppingUpdate:
    """What a turn changed in the shopping part of the state.

    Attributes:
        refinements: names among cheaper, pricier, not_brand, not_one, different.
        new_need: the shopper asked for a new kind of product (older constraints dropped).
        constraints: a constraint (type, price, brand, option) was added or changed.
        item: the shown product the message refers to, if any.
        items: several referenced products (compare "the first and the third").
    """

    refinements: tuple[str, ...] = ()
    new_need: bool = False
    constraints: bool = False
    item: dict[str, Any] | None = None
    items: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    note: str = ""


def detect_refinements(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in _REFINEMENTS.items() if pattern.search(text or ""))


def price_bounds(text: str) -> tuple[float | None, float | None]:
    """Price bounds written in ``text`` ("under 50 bucks", "between $20 and $30")."""

    def num(value: str, thousands: str | None) -> float:
        out = float(value.replace(",", "."))
        return out * 1000 if thousands else out

    match = _PRICE_RANGE.search(text or "")
    if match:
        lo, hi = num(match.group(1), match.group(2)), num(match.group(3), match.group(4))
        return min(lo, hi), max(lo, hi)
    lo = hi = None
    match = _PRICE_MAX.search(text or "")
    if match:
        groups = [g for g in match.groups()]
        value, thousands = (groups[0], groups[1]) if groups[0] else (groups[2], groups[3])
        hi = num(value, thousands)
    taken = match.span() if match else (-1, -1)
    for match in _PRICE_MIN.finditer(text or ""):
        if not taken[0] <= match.start() < taken[1]:
            lo = num(match.group(1), match.group(2))
            break
    return lo, hi


def ordinals(text: str) -> list[int]:
    """Every ordinal item reference in ``text``, 1-based (-1 = last)."""
    out = []
    for m in _ORDINAL.finditer(text or ""):
        word = m.group(1) or m.group(2)
        out.append(_ORDINALS[word.lower()] if word else int(m.group(3)))
    return out


def resolve_items(ref: Any, text: str, state: DialogueState) -> list[dict[str, Any]]:
    """Shown products the message refers to: by ordinal, by price words, or by description."""
    shown = state.last_shown
    if not shown:
        return []
    picks: list[int] = []
    if isinstance(ref, int | float) and not isinstance(ref, bool):
        picks.append(int(ref))
    elif isinstance(ref, str) and ref.strip().lstrip("-").isdigit():
        picks.append(int(ref.strip()))
    picks += [i for i in ordinals(text) if i not in picks]
    out = []
    for i in picks:
        index = len(shown) - 1 if i == -1 else i - 1
        if 0 <= index < len(shown) and shown[index] not in out:
            out.append(shown[index])
    if out:
        return out
    low = (text or "").lower()
    if re.search(r"\bcheapest (one|item)\b|\bthe cheapest\b", low):
        return [min(shown, key=lambda p: p["price"])]
    if re.search(r"\b(most expensive|priciest)\b", low):
        return [max(shown, key=lambda p: p["price"])]
    descriptive = ref if isinstance(ref, str) else None
    if descriptive or re.search(r"\b(that|the|this)\s+[\w\s-]{1,30}\bone\b", low):
        return _by_description(descriptive or low, shown)
    return []


def _by_description(text: str, shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    words = set(norm_words(text).split())
    scores = []
    for p in shown:
        values = [str(v) for v in (p.get("attributes") or {}).values()] + [p.get("brand") or ""]
        tokens = set(norm_words(" ".join(values)).split())
        scores.append(len(words & tokens))
    best = max(scores, default=0)
    if best == 0 or scores.count(best) != 1:
        return []
    return [shown[scores.index(best)]]


def apply_shopping(
    state: DialogueState, intent: str, slots: dict[str, Any], text: str, vocab: Vocabulary,
    default_diversity: float,
) -> ShoppingUpdate:
    """Update ``state`` in place from one shopping-related turn and say what changed."""
    refinements = detect_refinements(text)
    items = resolve_items(slots.get("item_ref"), text, state)
    item = items[0] if items else None
    category = (
        vocab.find_category(str(slots.get("product") or ""))
        or vocab.find_category(str(slots.get("category") or ""))
        or vocab.find_category(text)
    )
    product = slots.get("product") or slots.get("category")
    old_category, old_product = state.slots.get("category"), state.slots.get("product")
    new_need = False
    if category and category != old_category:
        new_need = True
    elif product and not category and norm_words(str(product)) != norm_words(str(old_product or "")):
        new_need = intent in ("search_products", "recommend") and not refinements and item is None
    if new_need:
        state.reset_shopping()
    changed = new_need
    if category:
        state.slots["category"] = category
    if product:
        state.slots["product"] = str(product)
    # prices: the model's slots, else the text
    lo, hi = price_bounds(text)  # explicit phrases ("under 50") read exactly; else the model's slots
    if lo is None and hi is None:
        lo, hi = slots.get("price_min"), slots.get("price_max")
    for name, value in (("price_min", lo), ("price_max", hi)):
        if value is not None:
            try:
                state.slots[name] = round(float(value), 2)
                changed = True
            except (TypeError, ValueError):
                pass
    brand = slots.get("brand") or vocab.find_brand(text)
    if brand and "not_brand" not in refinements:
        state.slots["brand"] = str(brand)
        state.exclude_brands = [b for b in state.exclude_brands if b.lower() != str(brand).lower()]
        changed = True
    options = {k: str(slots[k]) for k in OPTION_SLOTS if slots.get(k)}
    if isinstance(slots.get("option"), dict):
        options.update({str(k).lower(): str(v) for k, v in slots["option"].items() if v})
    for name, value in vocab.find_options(text).items():
        options.setdefault(name, value)
    for name, value in options.items():
        state.options[name] = [value]
        changed = True
    note = _apply_refinements(state, refinements, item, default_diversity)
    return ShoppingUpdate(refinements, new_need, changed or bool(refinements), item, tuple(items), note)


def _apply_refinements(
    state: DialogueState, refinements: tuple[str, ...], item: dict[str, Any] | None,
    default_diversity: float,
) -> str:
    shown = state.last_shown
    prices = [float(p["price"]) for p in shown]
    notes = []
    if "cheaper" in refinements and prices:
        ceiling = round(sum(prices) / len(prices) - 0.01, 2)
        current = state.slots.get("price_max")
        state.slots["price_max"] = min(ceiling, float(current)) if current is not None else ceiling
        if state.slots.get("price_min") is not None and state.slots["price_min"] > state.slots["price_max"]:
            state.slots.pop("price_min")
    if "pricier" in refinements and prices:
        floor = round(sum(prices) / len(prices) + 0.01, 2)
        state.slots["price_min"] = floor
        if state.slots.get("price_max") is not None and state.slots["price_max"] < floor:
            state.slots.pop("price_max")
    target = item or state.shown(state.focus_id) or (shown[0] if len(shown) == 1 else None)
    if "not_brand" in refinements:
        brand = (target or {}).get("brand") or state.slots.get("brand")
        if brand is None and shown:
            brands = [p.get("brand") for p in shown if p.get("brand")]
            brand = max(set(brands), key=brands.count) if brands else None
        if brand:
            if brand not in state.exclude_brands:
                state.exclude_brands.append(brand)
            if str(state.slots.get("brand", "")).lower() == brand.lower():
                state.slots.pop("brand")
        else:
            notes.append("no_brand")
    if "not_one" in refinements and not target and shown:
        notes.append("no_target")
    if "not_one" in refinements and target:
        if target["id"] not in state.exclude_ids:
            state.exclude_ids.append(target["id"])
        if state.focus_id == target["id"]:
            state.focus_id = None
    if "different" in refinements:
        state.diversity = min(1.0, (state.diversity or default_diversity) + 0.3)
        state.exclude_ids.extend(p["id"] for p in shown if p["id"] not in state.exclude_ids)
    return ",".join(notes)
